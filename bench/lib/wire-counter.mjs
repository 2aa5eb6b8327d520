// A TCP proxy between volunteers and the server that counts the WebSocket messages of every
// volunteer session, in both directions, and follows each session's tasks from the wire: which it
// was handed, which it answered (with the kernel's own `millis`), which it gave back, when it
// left. The server has no per-message counter in /metrics, and the proxy sees exactly what
// crosses the network, so it is the honest place to count. Plain HTTP (kernel downloads) passes
// through uncounted. Extensions (permessage-deflate) are stripped from the upgrade so every
// payload is readable.

import net from "node:net";

const HEADER_END = Buffer.from("\r\n\r\n");

/** Reads WebSocket frames from a byte stream and hands whole messages (as strings) to `onMessage`. */
export class FrameReader {
  #buffer = Buffer.alloc(0);
  #parts = [];
  constructor(onMessage, onControl = () => {}) {
    this.onMessage = onMessage;
    this.onControl = onControl;
  }

  push(chunk) {
    this.#buffer = this.#buffer.length
      ? Buffer.concat([this.#buffer, chunk])
      : chunk;
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) return;
      const fin = (b[0] & 0x80) !== 0;
      const opcode = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let length = b[1] & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      const maskAt = at;
      if (masked) at += 4;
      if (b.length < at + length) return;
      let payload = b.subarray(at, at + length);
      if (masked) {
        payload = Buffer.from(payload);
        for (let i = 0; i < payload.length; i++)
          payload[i] ^= b[maskAt + (i & 3)];
      }
      this.#buffer = b.subarray(at + length);
      if (opcode >= 0x8) {
        this.onControl(opcode);
        continue;
      }
      this.#parts.push(payload);
      if (fin) {
        const whole =
          this.#parts.length === 1
            ? this.#parts[0]
            : Buffer.concat(this.#parts);
        this.#parts = [];
        this.onMessage(whole.toString("utf8"));
      }
    }
  }
}

/** One volunteer connection's view of its tasks (one worker per volunteer: FIFO, one at a time). */
class Session {
  constructor(id, now) {
    this.id = id;
    this.openedAt = now;
    this.closedAt = null;
    this.up = 0; // volunteer → server messages
    this.down = 0; // server → volunteer messages
    this.types = {};
    this.held = new Map(); // "job/index" → {since, checkpointAt}
    this.busySince = null; // when the task now at the head started running
    this.results = 0;
    this.kernelMillis = 0;
    this.lostMillis = 0;
    this.released = 0;
    this.checkpoints = 0;
  }

  #count(type) {
    this.types[type] = (this.types[type] ?? 0) + 1;
  }

  fromServer(msg, now) {
    this.down++;
    this.#count(msg.type);
    if (msg.type === "tasks") {
      for (const t of msg.tasks ?? [])
        this.held.set(`${t.job}/${t.index}`, { checkpointAt: null });
      if (this.busySince === null && this.held.size) this.busySince = now;
    } else if (msg.type === "cancel") {
      for (const t of msg.tasks ?? []) this.held.delete(`${t.job}/${t.index}`);
      if (!this.held.size) this.busySince = null;
    }
  }

  fromVolunteer(msg, now) {
    this.up++;
    this.#count(msg.type);
    if (msg.type === "results") {
      for (const r of msg.results ?? []) {
        this.held.delete(`${r.job}/${r.index}`);
        this.results++;
        this.kernelMillis += Number(r.millis) || 0;
      }
      this.busySince = this.held.size ? now : null;
    } else if (msg.type === "checkpoint") {
      const key = `${msg.job}/${msg.index}`;
      const t = this.held.get(key);
      if (t) t.checkpointAt = now;
      this.checkpoints++;
    } else if (msg.type === "release") {
      this.#lose(now);
      for (const t of msg.tasks ?? []) this.held.delete(`${t.job}/${t.index}`);
      this.released += (msg.tasks ?? []).length;
      this.busySince = this.held.size ? now : null;
    }
  }

  // The task running now is lost from its start, or from its latest checkpoint if it sent one.
  #lose(now) {
    if (this.busySince === null || !this.held.size) return;
    const head = this.held.values().next().value;
    const from = Math.max(this.busySince, head.checkpointAt ?? -Infinity);
    this.lostMillis += Math.max(0, now - from);
    this.busySince = null;
  }

  close(now) {
    if (this.closedAt !== null) return;
    this.closedAt = now;
    this.#lose(now);
  }

  summary() {
    return {
      id: this.id,
      openedAt: this.openedAt,
      closedAt: this.closedAt,
      up: this.up,
      down: this.down,
      types: this.types,
      results: this.results,
      kernelMillis: Math.round(this.kernelMillis),
      lostMillis: Math.round(this.lostMillis),
      released: this.released,
      checkpoints: this.checkpoints,
    };
  }
}

/**
 * Starts the proxy on a free local port in front of `target` ("host:port"). Returns
 * {port, sessions(), close()}; `sessions()` lists every WebSocket session seen so far.
 */
export function startWireCounter(target, { clock = () => Date.now() } = {}) {
  const [host, portText] = target.split(":");
  const sessions = [];
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(portText), host);
    sockets.add(client).add(upstream);
    let session = null;
    let head = Buffer.alloc(0);
    let upgraded = false;
    let downHead = Buffer.alloc(0);
    let downReader = null;
    let upReader = null;
    const parse = (fn) => (text) => {
      try {
        fn(JSON.parse(text), clock());
      } catch {
        // Not JSON (or not ours): counted as a message all the same.
        fn({ type: "unparsed" }, clock());
      }
    };
    client.on("data", (chunk) => {
      if (upReader) return (upReader.push(chunk), upstream.write(chunk));
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEADER_END);
      if (end < 0) return;
      let text = head.subarray(0, end + 4).toString("latin1");
      const rest = head.subarray(end + 4);
      head = Buffer.alloc(0);
      if (/^upgrade:\s*websocket/im.test(text)) {
        text = text.replace(/^sec-websocket-extensions:.*\r\n/gim, "");
        session = new Session(sessions.length + 1, clock());
        sessions.push(session);
        upgraded = true;
        upReader = new FrameReader(
          parse((m, now) => session.fromVolunteer(m, now)),
        );
        downReader = new FrameReader(
          parse((m, now) => session.fromServer(m, now)),
        );
        upstream.write(text);
        if (rest.length) (upReader.push(rest), upstream.write(rest));
      } else {
        // Plain HTTP: pass the rest of this connection through untouched.
        upReader = { push() {} };
        upstream.write(Buffer.concat([Buffer.from(text, "latin1"), rest]));
      }
    });
    upstream.on("data", (chunk) => {
      client.write(chunk);
      if (!upgraded) return;
      if (downReader && downHead !== null) {
        // Skip the 101 answer's header before frames start.
        downHead = Buffer.concat([downHead, chunk]);
        const end = downHead.indexOf(HEADER_END);
        if (end < 0) return;
        const rest = downHead.subarray(end + 4);
        downHead = null;
        if (rest.length) downReader.push(rest);
        return;
      }
      downReader.push(chunk);
    });
    const finish = () => {
      if (session) session.close(clock());
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", finish).on("error", finish);
    upstream.on("close", finish).on("error", finish);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: server.address().port,
        sessions: () => sessions,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    );
  });
}
