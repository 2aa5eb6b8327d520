// One logical connection to the server's /volunteer endpoint that survives drops: reconnects with
// exponential backoff and jitter (so a restarted server is not hit by every volunteer at once),
// and asks for a fresh consent token after the server refused one (close code 1008).

import { decode, encode } from "./protocol.js";

/** Close code of a policy violation: the token was refused, so fetch a new one. */
export const CLOSE_POLICY = 1008;

/**
 * The delay before reconnect attempt `attempt` (0-based): `initialMs` doubling up to `maxMs`,
 * spread by ±`jitter` (a fraction) and never above `maxMs`.
 * @returns {number} milliseconds
 */
export function backoffDelay(
  attempt,
  { initialMs = 1000, maxMs = 30000, jitter = 0.2 } = {},
  random = Math.random,
) {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(Math.min(maxMs, base * (1 - jitter + 2 * jitter * random())));
}

/**
 * A reconnecting WebSocket that speaks the protocol codec. It never throws into its caller:
 * failures arrive as `onClose` (followed by a reconnect) or `onInvalid`.
 */
export class Transport {
  #options;
  #socket = null;
  #attempt = 0;
  #timer = null;
  #running = false;
  #generation = 0;
  #freshToken = false;
  #closeWaiters = [];

  /**
   * @param {object} options
   * @param {string} options.url `ws://HOST:PORT/volunteer`
   * @param {typeof WebSocket} options.WebSocket the browser's WebSocket or the `ws` package's
   * @param {(request: {fresh: boolean}) => Promise<string>|string} [options.getToken] called before
   *   every connect; `fresh` is true after the server closed with 1008
   * @param {(info: {token: string|undefined}) => void} [options.onOpen]
   * @param {(message: object) => void} [options.onMessage] every valid message
   * @param {(problem: {kind: string, field?: string, reason: string}) => void} [options.onInvalid]
   * @param {(info: {code: number, reason: string, delayMs: number}) => void} [options.onClose]
   *   the connection (or an attempt) ended; the next attempt follows after delayMs
   * @param {{initialMs?: number, maxMs?: number, jitter?: number}} [options.backoff]
   * @param {() => number} [options.random]
   */
  constructor(options) {
    this.#options = options;
  }

  /** True while a socket is open. */
  get open() {
    return this.#socket !== null && this.#socket.readyState === 1;
  }

  /** Starts connecting (at once; later attempts wait for the backoff). */
  start() {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  /** Forgets past failures: the next drop waits the initial delay again. Call after `welcome`. */
  resetBackoff() {
    this.#attempt = 0;
  }

  /**
   * Sends a message if a socket is open.
   * @returns {boolean} whether it was handed to the socket
   */
  send(message) {
    if (!this.open) return false;
    try {
      this.#socket.send(encode(message));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Closes for good (no reconnect); messages sent before are flushed first by the socket.
   * @param {number} [code]
   * @param {string} [reason]
   * @param {number} [timeoutMs] resolve after this long even without a close handshake
   * @returns {Promise<void>}
   */
  close(code = 1000, reason = "", timeoutMs = 3000) {
    this.#running = false;
    this.#generation++;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      this.#closeWaiters.push(done);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      try {
        socket.close(code, reason);
      } catch {
        this.#socketGone(socket);
      }
    });
  }

  async #connect() {
    const generation = ++this.#generation;
    let token;
    try {
      token = await this.#options.getToken?.({ fresh: this.#freshToken });
    } catch (e) {
      if (generation === this.#generation) this.#retry(0, `no consent token: ${e?.message ?? e}`);
      return;
    }
    if (generation !== this.#generation || !this.#running) return;
    this.#freshToken = false;

    let socket;
    try {
      socket = new this.#options.WebSocket(this.#options.url);
    } catch (e) {
      this.#retry(0, `cannot open ${this.#options.url}: ${e?.message ?? e}`);
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket === socket) this.#emit("onOpen", { token });
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket) return;
      // Binary frames are not part of the protocol: decode() refuses anything but text.
      const decoded = decode(event.data);
      if (decoded.ok) this.#emit("onMessage", decoded.message);
      else this.#emit("onInvalid", decoded);
    };
    // An error is always followed by a close event, which does the work; the listener must exist
    // anyway, or the `ws` package throws the error.
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socketGone(socket);
      if (event.code === CLOSE_POLICY) this.#freshToken = true;
      if (this.#running) this.#retry(event.code, event.reason ?? "");
    };
  }

  #socketGone(socket) {
    if (this.#socket === socket) this.#socket = null;
    for (const done of this.#closeWaiters.splice(0)) done();
  }

  #retry(code, reason) {
    const delayMs = backoffDelay(this.#attempt++, this.#options.backoff, this.#options.random);
    this.#emit("onClose", { code, reason, delayMs });
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#running) this.#connect();
    }, delayMs);
  }

  #emit(name, value) {
    try {
      this.#options[name]?.(value);
    } catch {
      // A failing handler must not take the connection down with it.
    }
  }
}
