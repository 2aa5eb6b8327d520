// The saboteur volunteer (test/support/saboteur.js) that the verification tests and
// bench/saboteurs.sh run: its lies must be what they claim, or those measurements mean nothing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Saboteur, falsify, parseLie, parseWrong, sabotageWorkers } from "./support/saboteur.js";
import { startFakeServer, until, makeTask } from "./helpers/fake-server.js";
import { wasmBytes, sha256 } from "./helpers/wasm.js";

const SCRIPT = fileURLToPath(new URL("./support/saboteur-volunteer.js", import.meta.url));
const text = (bytes) => new TextDecoder().decode(bytes);
const bytes = (s) => new TextEncoder().encode(s);
const RIGHT = bytes("785470 1000000\n");
const task = (index, job = "j-1") => ({ job, index });

test("--lie and --wrong accept their modes and refuse anything else naming the option", () => {
  assert.deepEqual(parseLie("always"), { kind: "always" });
  assert.deepEqual(parseLie("sometimes:0.25"), { kind: "sometimes", p: 0.25 });
  assert.deepEqual(parseLie("sleeper:40"), { kind: "sleeper", k: 40 });
  for (const bad of ["", "never", "sometimes:0", "sometimes:1.5", "sometimes:x", "sleeper:-1"]) {
    assert.throws(() => parseLie(bad), /--lie must be always, sometimes:P .* got/, bad);
  }
  assert.equal(parseWrong("collude"), "collude");
  assert.throws(() => parseWrong("garbage"), /--wrong must be random, consistent or collude/);
});

test("a wrong Monte Carlo line keeps its shape: hits moved by at most 1 %, samples kept", () => {
  for (let n = 0n; n < 500n; n++) {
    const wrong = text(falsify(RIGHT, n * 0x9e3779b97f4a7c15n));
    const m = /^(\d+) 1000000\n$/.exec(wrong);
    assert.ok(m, `shape kept: ${JSON.stringify(wrong)}`);
    const hits = Number(m[1]);
    assert.notEqual(hits, 785470);
    assert.ok(Math.abs(hits - 785470) <= 7854, `${hits} is within 1 %`);
  }
});

test("outputs without digits get one byte changed; an empty output becomes a number", () => {
  const right = Uint8Array.from([0x50, 0x35, 0xff, 0x00, 0x10]);
  for (let n = 0n; n < 300n; n++) {
    const wrong = falsify(right, n * 7919n + (n << 20n));
    assert.equal(wrong.length, right.length);
    assert.equal(wrong.filter((b, i) => b !== right[i]).length, 1);
  }
  assert.match(text(falsify(new Uint8Array(0), 12345n)), /^\d+\n$/);
  assert.equal(text(falsify(bytes("0 5\n"), 1n)), "1 5\n", "0 cannot go down");
});

test("always: every result is a lie, and the counts say so", () => {
  const s = new Saboteur({ lie: "always", wrong: "random", seed: 1 });
  for (let i = 0; i < 50; i++) {
    const out = s.output(task(i), RIGHT);
    assert.equal(out.lie, true);
    assert.notEqual(text(out.stdout), text(RIGHT));
  }
  assert.deepEqual(s.stats, { results: 50, lies: 50 });
});

test("sometimes:P lies on about P of the results and returns the right output otherwise", () => {
  const s = new Saboteur({ lie: "sometimes:0.3", wrong: "random", seed: 7 });
  for (let i = 0; i < 4000; i++) {
    const out = s.output(task(i), RIGHT);
    assert.equal(text(out.stdout) === text(RIGHT), !out.lie);
  }
  const share = s.stats.lies / s.stats.results;
  assert.ok(share > 0.27 && share < 0.33, `lie share ${share}`);
});

test("sleeper:K is honest for its first K results, then always lies", () => {
  const s = new Saboteur({ lie: "sleeper:25", wrong: "consistent", seed: 3 });
  const lies = Array.from({ length: 60 }, (_, i) => s.output(task(i), RIGHT).lie);
  assert.deepEqual(lies, [...Array(25).fill(false), ...Array(35).fill(true)]);
  assert.deepEqual(s.stats, { results: 60, lies: 35 });
});

test("consistent: the same wrong output for the same task, unlike another saboteur's", () => {
  const a = new Saboteur({ wrong: "consistent", seed: 11 });
  const b = new Saboteur({ wrong: "consistent", seed: 12 });
  const first = text(a.output(task(4), RIGHT).stdout);
  assert.equal(text(a.output(task(4), RIGHT).stdout), first);
  assert.notEqual(text(a.output(task(5), RIGHT).stdout), first);
  assert.notEqual(text(a.output(task(4, "j-2"), RIGHT).stdout), first, "another job");
  assert.notEqual(text(b.output(task(4), RIGHT).stdout), first);
});

test("collude: saboteurs with different seeds return the same wrong output for a task", () => {
  const colluders = [1, 2, 3].map((seed) => new Saboteur({ wrong: "collude", seed }));
  for (let i = 0; i < 40; i++) {
    const outs = colluders.map((s) => text(s.output(task(i), RIGHT).stdout));
    assert.notEqual(outs[0], text(RIGHT));
    assert.deepEqual(outs, [outs[0], outs[0], outs[0]], `task ${i}`);
  }
});

test("random: the same task gets different garbage on different tries", () => {
  const s = new Saboteur({ wrong: "random", seed: 5 });
  const outs = new Set(Array.from({ length: 20 }, () => text(s.output(task(0), RIGHT).stdout)));
  assert.ok(outs.size >= 15, `${outs.size} distinct wrong outputs of 20`);
});

test("the worker seam changes ok results only, with the task the pool posted", () => {
  const s = new Saboteur({ lie: "always", wrong: "collude" });
  const seen = [];
  let fakeWorker;
  const factory = sabotageWorkers((handlers) => {
    fakeWorker = handlers;
    return { postMessage: () => {}, terminate: () => {} };
  }, s);
  const worker = factory({ onMessage: (d) => seen.push(d), onError: () => {} });
  const stdout = Buffer.from(RIGHT).toString("base64");
  worker.postMessage({ id: 1, task: { job: "j-9", index: 3 } });
  fakeWorker.onMessage({ id: 1, result: { status: "ok", exitCode: 0, stdout, stderr: "" } });
  worker.postMessage({ id: 2, task: { job: "j-9", index: 4 } });
  fakeWorker.onMessage({ id: 2, result: { status: "exit", exitCode: 2, stdout, stderr: "" } });
  const colluder = new Saboteur({ wrong: "collude" });
  assert.equal(
    Buffer.from(seen[0].result.stdout, "base64").toString(),
    text(colluder.output({ job: "j-9", index: 3 }, RIGHT).stdout),
  );
  assert.equal(seen[1].result.stdout, stdout, "a failed task's output is passed on as it is");
  assert.deepEqual(s.stats, { results: 2, lies: 1 });
});

test("the saboteur volunteer runs the real kernel and sends a changed number over the protocol", async (t) => {
  const echo = wasmBytes("echo");
  const server = await startFakeServer({ kernels: { [sha256(echo)]: echo } });
  t.after(() => server.close());
  const child = spawn(
    process.execPath,
    [
      SCRIPT,
      "--server",
      server.url,
      "--key",
      "surgevk_x",
      "--lie",
      "sleeper:1",
      "--wrong",
      "collude",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  t.after(() => child.kill("SIGKILL"));

  await until(() => server.sent("hello").length === 1, "hello", 10000);
  assert.equal(server.sent("hello")[0].key, "surgevk_x");
  const sha = sha256(echo);
  server.send({ type: "tasks", tasks: [makeTask(sha, 0, { stdin: "785470 1000000\n" })] });
  await until(() => server.sent("results").length === 1, "first result", 10000);
  server.send({ type: "tasks", tasks: [makeTask(sha, 1, { stdin: "785470 1000000\n" })] });
  await until(() => server.sent("results").length === 2, "second result", 10000);
  const [honest, lie] = server.sent("results").map((m) => m.results[0]);
  const out = (r) => Buffer.from(r.stdout, "base64").toString();
  assert.equal(out(honest), "785470 1000000\n", "a sleeper's first result is right");
  assert.equal(lie.status, "ok");
  assert.equal(out(lie), text(new Saboteur({ wrong: "collude" }).output(task(1), RIGHT).stdout));
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
  assert.match(stderr, /returned 2 results, 1 lies \(lie=sleeper:1 wrong=collude\)/);
});
