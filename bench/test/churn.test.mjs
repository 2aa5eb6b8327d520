// Unit tests of bench/churn.mjs's pieces: node --test bench/test/
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import {
  gamma,
  weibullScale,
  weibull,
  seededRandom,
  exponential,
  summarize,
} from "../churn.mjs";
import { FrameReader, startWireCounter } from "../lib/wire-counter.mjs";

test("gamma matches known values", () => {
  assert.ok(Math.abs(gamma(5) - 24) < 1e-9);
  assert.ok(Math.abs(gamma(0.5) - Math.sqrt(Math.PI)) < 1e-12);
  assert.ok(Math.abs(gamma(7 / 3) - 1.190639348) < 1e-8);
});

test("Weibull draws have the mean their scale was chosen for", () => {
  for (const shape of [0.5, 0.75, 1]) {
    const rand = seededRandom(11);
    const scale = weibullScale(shape, 1000);
    let sum = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) sum += weibull(rand, shape, scale);
    assert.ok(Math.abs(sum / n - 1000) < 30, `shape ${shape}: mean ${sum / n}`);
  }
});

test("the seeded generator repeats and exponential gaps have their mean", () => {
  const a = seededRandom(5);
  const b = seededRandom(5);
  for (let i = 0; i < 10; i++) assert.equal(a(), b());
  const r = seededRandom(9);
  let sum = 0;
  for (let i = 0; i < 100_000; i++) sum += exponential(r, 2);
  assert.ok(Math.abs(sum / 100_000 - 2) < 0.05);
});

function frame(text, { mask = false, fin = true, opcode = 1 } = {}) {
  const payload = Buffer.from(text);
  const head = [(fin ? 0x80 : 0) | opcode];
  let ext = Buffer.alloc(0);
  if (payload.length < 126) head.push((mask ? 0x80 : 0) | payload.length);
  else {
    head.push((mask ? 0x80 : 0) | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(payload.length);
  }
  const key = Buffer.from([1, 2, 3, 4]);
  const body = mask ? payload.map((b, i) => b ^ key[i & 3]) : payload;
  return Buffer.concat([
    Buffer.from(head),
    ext,
    mask ? key : Buffer.alloc(0),
    body,
  ]);
}

test("the frame reader reassembles masked, fragmented and split messages", () => {
  const got = [];
  const controls = [];
  const r = new FrameReader(
    (m) => got.push(m),
    (op) => controls.push(op),
  );
  const long = "x".repeat(300);
  const bytes = Buffer.concat([
    frame('{"type":"hello"}', { mask: true }),
    frame("", { opcode: 9 }), // ping
    frame('{"type":', { fin: false }),
    frame('"results"}', { opcode: 0 }),
    frame(long, { mask: true }),
  ]);
  // Byte by byte: frames split anywhere must still come out whole.
  for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
  assert.deepEqual(got, ['{"type":"hello"}', '{"type":"results"}', long]);
  assert.deepEqual(controls, [9]);
});

test("the wire counter counts a session's messages and the work it lost", async () => {
  // A stand-in server that answers the upgrade and sends one tasks message.
  const server = net.createServer((s) => {
    s.once("data", () => {
      s.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
      s.write(
        frame(
          JSON.stringify({
            type: "tasks",
            tasks: [
              { job: "j", index: 0 },
              { job: "j", index: 1 },
            ],
          }),
        ),
      );
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  let clock = 1000;
  const counter = await startWireCounter(`127.0.0.1:${server.address().port}`, {
    clock: () => clock,
  });
  const client = net.connect(counter.port, "127.0.0.1");
  client.write(
    "GET /volunteer HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
  );
  await new Promise((r) => client.once("data", r));
  await new Promise((r) => setTimeout(r, 50));
  clock = 1500;
  client.write(
    frame(
      JSON.stringify({
        type: "results",
        results: [{ job: "j", index: 0, millis: 480 }],
      }),
      { mask: true },
    ),
  );
  await new Promise((r) => setTimeout(r, 50));
  clock = 1800; // leaves 300 ms into task 1
  client.destroy();
  await new Promise((r) => setTimeout(r, 50));
  const [s] = counter.sessions().map((x) => x.summary());
  await counter.close();
  server.close();
  assert.equal(s.down, 1);
  assert.equal(s.up, 1);
  assert.equal(s.results, 1);
  assert.equal(s.kernelMillis, 480);
  assert.equal(s.lostMillis, 300);
  const f = summarize({
    job: { tasks: 2 },
    sessionLog: [s],
    resultsIgnored: 0,
    makespanMs: 900,
  });
  assert.equal(f.messagesPerTask, 1);
  assert.equal(f.sessionsWithResult, 1);
  assert.ok(Math.abs(f.lostShare - 300 / 480) < 1e-9);
});
