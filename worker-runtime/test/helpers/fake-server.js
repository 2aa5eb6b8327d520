// A small stand-in for the offload server, for the runtime's own tests: POST /api/consent,
// GET /api/kernels/{sha256} and the /volunteer WebSocket, on 127.0.0.1 with a free port.
// It checks every message the volunteer sends against the codec and records it.

import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { decode } from "../../src/protocol.js";

export const DEFAULT_WELCOME = {
  type: "welcome",
  session: "v-test",
  heartbeatMs: 5000,
  leaseMs: 30000,
  batch: 8,
  prefetchBelow: 2,
  maxMessageBytes: 4194304,
};

/**
 * @param {object} [options]
 * @param {Record<string, Uint8Array>} [options.kernels] bytes served per sha256 (may not match)
 * @param {object} [options.welcome] fields to override in welcome
 * @param {(token: string) => boolean} [options.acceptToken] false closes with 1008
 * @param {(message: object, conn: object) => void} [options.onMessage] sees every valid message
 * @param {(req: object, res: object) => boolean} [options.route] answers other HTTP requests
 */
export async function startFakeServer(options = {}) {
  const kernels = options.kernels ?? {};
  const welcome = { ...DEFAULT_WELCOME, ...options.welcome };
  const acceptToken = options.acceptToken ?? (() => true);
  const state = {
    consents: [], // bodies of POST /api/consent
    kernelFetches: [], // sha256 of each GET /api/kernels
    connections: [], // {ws, messages, closed: {code, reason}|null}
    invalid: [], // messages from the volunteer that the codec refused
  };

  const http = createServer((req, res) => {
    if (options.route?.(req, res)) return;
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/api/consent") {
        state.consents.push(JSON.parse(body));
        const token = `token-${state.consents.length}`;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ token, expiresAt: new Date(Date.now() + 3600e3).toISOString() }));
        return;
      }
      const m = /^\/api\/kernels\/([0-9a-f]{64})$/.exec(req.url);
      if (req.method === "GET" && m) {
        state.kernelFetches.push(m[1]);
        const bytes = kernels[m[1]];
        if (!bytes) {
          res.writeHead(404, { "content-type": "application/json" });
          res.end('{"error":"unknown kernel"}');
          return;
        }
        res.writeHead(200, { "content-type": "application/wasm" });
        res.end(Buffer.from(bytes));
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  const wss = new WebSocketServer({ server: http, path: "/volunteer" });
  wss.on("connection", (ws, req) => {
    const conn = { ws, messages: [], closed: null, origin: req.headers.origin };
    state.connections.push(conn);
    ws.on("close", (code, reason) => (conn.closed = { code, reason: reason.toString() }));
    if (fake.refuse > 0) {
      fake.refuse--;
      return void ws.close(1011, "refused by the test");
    }
    ws.on("message", (data, isBinary) => {
      const decoded = decode(isBinary ? undefined : data.toString());
      if (!decoded.ok) return void state.invalid.push(decoded);
      conn.messages.push(decoded.message);
      options.onMessage?.(decoded.message, conn);
      if (decoded.message.type === "hello") {
        if (!acceptToken(decoded.message.token)) ws.close(1008, "token refused");
        else ws.send(JSON.stringify(welcome));
      }
    });
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address();

  const fake = {
    /** How many of the next connections to close at once (with 1011). */
    refuse: 0,
    url: `http://127.0.0.1:${port}`,
    welcome,
    ...state,
    /** The newest connection. */
    get last() {
      return state.connections[state.connections.length - 1];
    },
    /** Messages of one type on a connection (default: the newest). */
    sent(type, conn = this.last) {
      return conn ? conn.messages.filter((m) => m.type === type) : [];
    },
    /** Sends a message to a connection (default: the newest). */
    send(message, conn = this.last) {
      conn.ws.send(typeof message === "string" ? message : JSON.stringify(message));
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(resolve));
      http.closeAllConnections?.();
      await new Promise((resolve) => http.close(resolve));
    },
  };
  return fake;
}

/** Polls until `condition()` is truthy; fails with `what` after `ms`. */
export async function until(condition, what = "condition", ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let nextLease = 1;

/** A task object for kernel `sha256` (stdin as text), with the server's default time limit. */
export function makeTask(
  sha256,
  index,
  { job = "j-1", stdin = "", args = [], timeoutMs = 600_000 } = {},
) {
  return {
    job,
    index,
    lease: nextLease++,
    kernel: sha256,
    args,
    env: { SURGE_TASK_INDEX: String(index), SURGE_TASK_COUNT: "100" },
    stdin: Buffer.from(stdin).toString("base64"),
    leaseExpires: Date.now() + 30000,
    timeoutMs,
  };
}
