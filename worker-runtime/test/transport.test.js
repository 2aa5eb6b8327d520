import { test } from "node:test";
import assert from "node:assert/strict";
import { Transport, backoffDelay } from "../src/transport.js";
import { until } from "./helpers/fake-server.js";

test("backoff starts at 1 s and doubles up to 30 s", () => {
  const delays = [0, 1, 2, 3, 4, 5, 6, 20, 100].map((n) => backoffDelay(n, { jitter: 0 }));
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
});

test("jitter spreads the delay by ±20% and never exceeds 30 s", () => {
  assert.equal(
    backoffDelay(0, {}, () => 0),
    800,
  );
  assert.equal(
    backoffDelay(0, {}, () => 1),
    1200,
  );
  assert.equal(
    backoffDelay(3, {}, () => 0.5),
    8000,
  );
  assert.equal(
    backoffDelay(10, {}, () => 1),
    30000,
  );
  assert.equal(
    backoffDelay(10, {}, () => 0),
    24000,
  );
});

// A WebSocket stand-in driven by the test.
function fakeWebSocketClass() {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      sockets.push(this);
    }
    send(text) {
      this.sent.push(JSON.parse(text));
    }
    close(code = 1000, reason = "") {
      this.serverClose(code, reason);
    }
    // test controls
    serverOpen() {
      this.readyState = 1;
      this.onopen?.({});
    }
    serverSend(data) {
      this.onmessage?.({ data });
    }
    serverClose(code, reason = "") {
      this.readyState = 3;
      this.onclose?.({ code, reason });
    }
  }
  return { FakeSocket, sockets };
}

function makeTransport(overrides = {}) {
  const { FakeSocket, sockets } = fakeWebSocketClass();
  const events = { open: [], messages: [], invalid: [], closes: [], tokenRequests: [] };
  let tokens = 0;
  const transport = new Transport({
    url: "ws://example.invalid/volunteer",
    WebSocket: FakeSocket,
    getToken: (request) => {
      events.tokenRequests.push(request);
      return `t${++tokens}`;
    },
    onOpen: (info) => events.open.push(info),
    onMessage: (m) => events.messages.push(m),
    onInvalid: (p) => events.invalid.push(p),
    onClose: (info) => events.closes.push(info),
    backoff: { initialMs: 1, maxMs: 4, jitter: 0 },
    ...overrides,
  });
  return { transport, sockets, events };
}

test("opens with the token from getToken and reports decoded messages", async () => {
  const { transport, sockets, events } = makeTransport();
  transport.start();
  await until(() => sockets.length === 1);
  assert.equal(transport.send({ type: "request", count: 1 }), false, "not open yet");
  sockets[0].serverOpen();
  assert.deepEqual(events.open, [{ token: "t1" }]);
  assert.equal(transport.send({ type: "request", count: 1 }), true);
  assert.deepEqual(sockets[0].sent, [{ type: "request", count: 1 }]);
  sockets[0].serverSend('{"type":"cancel","tasks":[],"reason":"r"}');
  sockets[0].serverSend(new ArrayBuffer(4));
  assert.deepEqual(events.messages, [{ type: "cancel", tasks: [], reason: "r" }]);
  assert.equal(events.invalid[0].kind, "malformed");
  await transport.close();
});

test("after a 1008 close the next connect asks for a fresh token", async () => {
  const { transport, sockets, events } = makeTransport();
  transport.start();
  await until(() => sockets.length === 1);
  sockets[0].serverOpen();
  sockets[0].serverClose(1006);
  await until(() => sockets.length === 2);
  sockets[1].serverOpen();
  sockets[1].serverClose(1008, "token expired");
  await until(() => sockets.length === 3);
  assert.deepEqual(
    events.tokenRequests.map((r) => r.fresh),
    [false, false, true],
  );
  assert.deepEqual(
    events.closes.map((c) => [c.code, c.delayMs]),
    [
      [1006, 1],
      [1008, 2],
    ],
  );
  await transport.close();
});

test("a failing token hook or WebSocket constructor is retried, never thrown", async () => {
  let calls = 0;
  const { transport, sockets, events } = makeTransport({
    getToken: () => {
      if (++calls === 1) throw new Error("consent service down");
      return "t";
    },
  });
  transport.start();
  await until(() => sockets.length === 1);
  assert.match(events.closes[0].reason, /consent service down/);

  let constructed = 0;
  const { transport: t2, events: e2 } = makeTransport({
    WebSocket: class {
      constructor() {
        constructed++;
        throw new SyntaxError("bad url");
      }
    },
  });
  t2.start();
  await until(() => constructed >= 2);
  assert.match(e2.closes[0].reason, /bad url/);
  await Promise.all([transport.close(), t2.close()]);
});

test("a throwing handler does not stop later messages", async () => {
  let seen = 0;
  const { transport, sockets } = makeTransport({
    onMessage: () => {
      seen++;
      throw new Error("host bug");
    },
  });
  transport.start();
  await until(() => sockets.length === 1);
  sockets[0].serverOpen();
  sockets[0].serverSend('{"type":"request","count":1}');
  sockets[0].serverSend('{"type":"request","count":2}');
  assert.equal(seen, 2);
  await transport.close();
});

test("close() ends reconnecting for good", async () => {
  const { transport, sockets, events } = makeTransport();
  transport.start();
  await until(() => sockets.length === 1);
  sockets[0].serverOpen();
  await transport.close(1000, "bye");
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(sockets.length, 1);
  assert.deepEqual(events.closes, []);
  assert.equal(transport.open, false);
});
