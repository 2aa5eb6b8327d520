// Fetches, verifies and compiles each kernel once. Kernels never travel over the socket: a task
// names its kernel by sha256 and the bytes come from GET /api/kernels/{sha256}.

const SHA256 = /^[0-9a-f]{64}$/;

/** A kernel that could not be fetched, did not match its hash, or did not compile. */
export class KernelUnavailableError extends Error {
  /** The release reason for the tasks that needed this kernel. */
  reason = "kernel-unavailable";

  constructor(sha256, message) {
    super(`kernel ${sha256}: ${message}`);
    this.name = "KernelUnavailableError";
    this.sha256 = sha256;
  }
}

/**
 * Lower-case hex sha256 of some bytes (WebCrypto, in browsers and Node 20 alike).
 * @param {BufferSource} bytes
 * @returns {Promise<string>}
 */
export async function sha256Hex(bytes, subtle = globalThis.crypto.subtle) {
  const digest = new Uint8Array(await subtle.digest("SHA-256", bytes));
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** A cache of compiled kernels by sha256. */
export class KernelCache {
  #base;
  #fetch;
  #timeoutMs;
  #compiled = new Map();
  #inFlight = new Map();

  /**
   * @param {object} options
   * @param {string} options.server base URL of the server, e.g. `http://localhost:8080`
   * @param {typeof fetch} [options.fetch]
   * @param {number} [options.timeoutMs] give up on a fetch after this long (default 60 s): a hung
   *   fetch would otherwise hold its tasks, with heartbeats renewing their leases, forever
   */
  constructor({ server, fetch = globalThis.fetch, timeoutMs = 60_000 }) {
    this.#base = server.endsWith("/") ? server : `${server}/`;
    this.#timeoutMs = timeoutMs;
    // Called as a plain function: a browser's fetch throws "Illegal invocation" on any other `this`.
    this.#fetch = (input, init) => fetch(input, init);
  }

  /**
   * The compiled module if it is ready, without waiting: the hot path for every task after the
   * first one of a kernel, with no promise per task.
   * @param {string} sha256
   * @returns {WebAssembly.Module|undefined}
   */
  peek(sha256) {
    return this.#compiled.get(sha256);
  }

  /**
   * The compiled kernel; concurrent calls for one kernel share a single fetch. A failure is not
   * remembered, so a later task may try again.
   * @param {string} sha256
   * @returns {Promise<WebAssembly.Module>} rejects with KernelUnavailableError only
   */
  get(sha256) {
    const ready = this.#compiled.get(sha256);
    if (ready) return Promise.resolve(ready);
    let pending = this.#inFlight.get(sha256);
    if (!pending) {
      pending = this.#load(sha256)
        .catch((e) => {
          throw e instanceof KernelUnavailableError
            ? e
            : new KernelUnavailableError(sha256, e.message);
        })
        .finally(() => this.#inFlight.delete(sha256));
      this.#inFlight.set(sha256, pending);
    }
    return pending;
  }

  async #load(sha256) {
    if (!SHA256.test(sha256)) throw new KernelUnavailableError(sha256, "not a sha256");
    let bytes;
    try {
      const response = await this.#fetch(new URL(`api/kernels/${sha256}`, this.#base), {
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      if (!response.ok) {
        throw new Error(`GET answered ${response.status} ${response.statusText}`.trim());
      }
      bytes = await response.arrayBuffer();
    } catch (e) {
      throw new KernelUnavailableError(sha256, e.message);
    }
    const actual = await sha256Hex(bytes);
    if (actual !== sha256) {
      throw new KernelUnavailableError(sha256, `the bytes served have sha256 ${actual}`);
    }
    let module;
    try {
      module = await WebAssembly.compile(bytes);
    } catch (e) {
      throw new KernelUnavailableError(sha256, `does not compile: ${e.message}`);
    }
    this.#compiled.set(sha256, module);
    return module;
  }
}
