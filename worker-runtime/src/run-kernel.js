// Runs one task of a WASI preview-1 command kernel on browser_wasi_shim: the same code runs in a
// browser Web Worker and in a Node worker thread, so node:wasi is deliberately not used.

import { WASI, File, OpenFile, ConsoleStdout } from "./wasi-shim.js";
import { checkpointFile } from "./checkpoint-file.js";

/** Default cap on captured stdout (4 MiB). */
export const DEFAULT_MAX_STDOUT_BYTES = 4 * 1024 * 1024;
/** Default cap on captured stderr; only its tail is kept (the server keeps the last 4 KiB). */
export const DEFAULT_MAX_STDERR_BYTES = 64 * 1024;
/** argv[0] of every kernel. */
export const PROGRAM_NAME = "kernel";

// Thrown from inside fd_write to unwind the kernel as soon as it writes past the stdout cap.
class OutputLimitExceeded extends Error {}

const encoder = new TextEncoder();

/** Collects written bytes; `keep: 'head'` fails past the cap, `keep: 'tail'` drops the oldest. */
class Capture {
  constructor(limit, keep) {
    this.limit = limit;
    this.keep = keep;
    this.chunks = [];
    this.length = 0;
  }

  write(bytes) {
    // browser_wasi_shim hands over a fresh copy of the guest's buffer, so it can be kept as is.
    this.chunks.push(bytes);
    this.length += bytes.length;
    if (this.length <= this.limit) return;
    if (this.keep === "head") throw new OutputLimitExceeded(`stdout exceeded ${this.limit} bytes`);
    const all = this.bytes();
    this.chunks = [all.subarray(all.length - this.limit)];
    this.length = this.limit;
  }

  clear() {
    this.chunks = [];
    this.length = 0;
  }

  endsWithNewline() {
    const last = this.chunks[this.chunks.length - 1];
    return !last || last.length === 0 || last[last.length - 1] === 10;
  }

  bytes() {
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/**
 * @typedef {object} RunResult
 * @property {'ok'|'exit'|'trap'} status ok: exit code 0; exit: non-zero; trap: the kernel aborted
 * @property {number} exitCode the WASI exit code, -1 for a trap
 * @property {Uint8Array} stdout
 * @property {Uint8Array} stderr
 * @property {number} millis wall time of instantiation and run
 */

/**
 * Runs a compiled kernel once with a fresh WASI environment. Never rejects for anything the
 * kernel does: a trap, a stack overflow, a missing import or output past the cap are `trap`.
 * @param {WebAssembly.Module} module
 * @param {{args?: string[], env?: Record<string,string>, stdin?: Uint8Array, checkpoint?: Uint8Array}} input
 *   `checkpoint`: the task's checkpoint to resume from (only with options.checkpoint)
 * @param {{maxStdoutBytes?: number, maxStderrBytes?: number, checkpoint?: object}} [options]
 *   `checkpoint`: `{everyMs, maxBytes, onSave(data, progress)}` gives the kernel a checkpoint
 *   file (checkpoint-file.js); onSave is called, synchronously, for each checkpoint it saves
 * @returns {Promise<RunResult>}
 */
export async function runKernel(module, input, options = {}) {
  const started = performance.now();
  const stdout = new Capture(options.maxStdoutBytes ?? DEFAULT_MAX_STDOUT_BYTES, "head");
  const stderr = new Capture(options.maxStderrBytes ?? DEFAULT_MAX_STDERR_BYTES, "tail");
  const args = [PROGRAM_NAME, ...(input.args ?? [])];
  const env = Object.entries(input.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const fds = [
    new OpenFile(new File(input.stdin ?? new Uint8Array(0), { readonly: true })),
    new ConsoleStdout((bytes) => stdout.write(bytes)),
    new ConsoleStdout((bytes) => stderr.write(bytes)),
  ];
  const ck = options.checkpoint
    ? checkpointFile(options.checkpoint, input.checkpoint, () => stdout.length)
    : null;
  if (ck) {
    fds.push(ck.fd);
    // The runtime's values win over any the task's env holds (getenv returns the first).
    env.unshift(...ck.env);
  }
  // debug must be given as false: browser_wasi_shim 0.4.2 turns its logger on when it is undefined.
  const wasi = new WASI(args, env, fds, { debug: false });
  ck?.watch(wasi.wasiImport);

  let status;
  let exitCode;
  try {
    const instance = await WebAssembly.instantiate(module, {
      wasi_snapshot_preview1: wasi.wasiImport,
    });
    exitCode = wasi.start(instance);
    status = exitCode === 0 ? "ok" : "exit";
  } catch (e) {
    // start() rethrows everything but proc_exit: RuntimeError (trap), RangeError (stack
    // overflow), LinkError, strings thrown by the shim, and our own output limit.
    status = "trap";
    exitCode = -1;
    if (e instanceof OutputLimitExceeded) stdout.clear();
    stderr.write(encoder.encode(`${stderr.endsWithNewline() ? "" : "\n"}${describe(e)}\n`));
  }
  const notes = ck?.refused();
  if (notes) stderr.write(encoder.encode(notes));
  const millis = Math.round((performance.now() - started) * 1000) / 1000;
  return { status, exitCode, stdout: stdout.bytes(), stderr: stderr.bytes(), millis };
}

function describe(error) {
  if (error instanceof OutputLimitExceeded) return `surge: ${error.message}; the task failed`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `error: ${String(error)}`;
}
