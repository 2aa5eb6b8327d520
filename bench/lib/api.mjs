// The few REST calls the benchmark makes (docs/api.md), with errors that say what failed.

export class Api {
  /** `token`: the credential every call sends (default SURGE_TOKEN, as bin/surge reads it). */
  constructor(base, token = process.env.SURGE_TOKEN) {
    this.base = base.replace(/\/$/, "");
    this.auth = token ? { authorization: `Bearer ${token}` } : {};
  }

  async #call(method, path, body, contentType = "application/json") {
    const init = { method, headers: { accept: "application/json", ...this.auth } };
    if (body !== undefined) {
      init.body = body;
      init.headers["content-type"] = contentType;
    }
    const response = await fetch(`${this.base}${path}`, init);
    const text = await response.text();
    if (!response.ok)
      throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  }

  uploadKernel(bytes) {
    return this.#call("POST", "/api/kernels", bytes, "application/wasm");
  }

  submit(spec) {
    return this.#call("POST", "/api/jobs", JSON.stringify(spec));
  }

  status(id) {
    return this.#call("GET", `/api/jobs/${id}`);
  }

  /** The merged result of a SUCCEEDED job, as bytes (GET /api/jobs/{id}/result). */
  async result(id) {
    const response = await fetch(`${this.base}/api/jobs/${id}/result`, { headers: this.auth });
    if (!response.ok)
      throw new Error(
        `GET /api/jobs/${id}/result answered ${response.status}: ${await response.text()}`,
      );
    return new Uint8Array(await response.arrayBuffer());
  }

  /** Recent jobs, newest first (GET /api/jobs?limit=N). */
  list(limit = 50) {
    return this.#call("GET", `/api/jobs?limit=${limit}`);
  }

  health() {
    return this.#call("GET", "/health");
  }

  /** The unlabelled gauges and counters of GET /metrics, by name. */
  async metrics() {
    const response = await fetch(`${this.base}/metrics`, { headers: this.auth });
    const out = {};
    if (!response.ok) return out;
    for (const line of (await response.text()).split("\n")) {
      const m = /^([a-z_]+) ([0-9.eE+-]+)$/.exec(line);
      if (m) out[m[1]] = Number(m[2]);
    }
    return out;
  }
}

export const ENDED = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

/**
 * Polls a job until it ends. Returns the final status, the client time it was first seen ended,
 * and the client time it was first seen MERGING: the dispatcher has accepted every result, while
 * the journal may still be writing them and the merge has not run. `onPoll` is called after every
 * poll (and may be async).
 */
export async function waitForEnd(api, id, { pollMs, timeoutMs, onPoll }) {
  const deadline = Date.now() + timeoutMs;
  let mergingSeenAt = null;
  for (;;) {
    const s = await api.status(id);
    const now = Date.now();
    if (s.state === "MERGING" && mergingSeenAt === null) mergingSeenAt = now;
    if (onPoll) await onPoll(s, now);
    if (ENDED.has(s.state)) return { status: s, endSeenAt: now, mergingSeenAt };
    if (now > deadline)
      throw new Error(`job ${id} did not end within ${timeoutMs / 1000} s: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Epoch milliseconds of a server instant, keeping its sub-millisecond digits. */
export function epochMillis(iso) {
  const m = /\.(\d+)Z$/.exec(iso);
  const fraction = m ? Number(`0.${m[1]}`) * 1000 : 0;
  return Date.parse(iso.replace(/\.\d+Z$/, "Z")) + fraction;
}

/** Milliseconds between two server instants (b - a). */
export const millisBetween = (a, b) => epochMillis(b) - epochMillis(a);
