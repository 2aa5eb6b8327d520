// The body of a task worker. A browser loads this file as a module Web Worker; Node wraps it in
// src/node/worker-entry.js. One task runs at a time, so cancelling a task means terminating the
// worker that runs it (a spinning kernel cannot be interrupted any other way).

import { runKernel } from "./run-kernel.js";
import { fromBase64, toBase64 } from "./base64.js";

// Compiled modules by kernel sha256: the pool posts a module to a worker only the first time that
// worker runs the kernel, so later tasks do not pay for structured-cloning it.
const modules = new Map();

/**
 * Handles one message from the pool: `{id, task, module?, limits?}`; posts back
 * `{id, result}` (stdout and stderr already base64, so the main thread does not encode them) or
 * `{id, error}` when the worker cannot run the task at all; before either, any number of
 * `{id, checkpoint}` while the kernel runs (see withCheckpoints).
 * @param {{id: number, task: object, module?: WebAssembly.Module, limits?: object}} message
 * @param {(reply: object) => void} post
 */
export async function handleMessage(message, post) {
  const { id, task, module, limits } = message;
  try {
    if (module) modules.set(task.kernel, module);
    const compiled = modules.get(task.kernel);
    if (!compiled) throw new Error(`kernel ${task.kernel} was never sent to this worker`);
    const run = await runKernel(
      compiled,
      {
        args: task.args,
        env: task.env,
        stdin: fromBase64(task.stdin ?? ""),
        checkpoint: task.checkpoint ? fromBase64(task.checkpoint.data) : undefined,
      },
      withCheckpoints(limits, (checkpoint) => post({ id, checkpoint })),
    );
    post({
      id,
      result: {
        status: run.status,
        exitCode: run.exitCode,
        stdout: toBase64(run.stdout),
        stderr: toBase64(run.stderr),
        millis: run.millis,
      },
    });
  } catch (e) {
    post({ id, error: e instanceof Error ? e.message : String(e) });
  }
}

/**
 * The run options for a task: with a checkpoint file when the server takes checkpoints
 * (`limits.checkpointMs > 0`). Each checkpoint is posted as `{id, checkpoint: {progress, data}}`
 * (data base64) the moment the kernel saves it; the kernel does not wait for anything.
 */
function withCheckpoints(limits, post) {
  if (!(limits?.checkpointMs > 0)) return limits;
  const checkpoint = {
    everyMs: limits.checkpointMs,
    maxBytes: limits.maxCheckpointBytes ?? 0,
    onSave: (data, progress) => post({ progress, data: toBase64(data) }),
  };
  return { ...limits, checkpoint };
}

// In a browser module worker there is a WorkerGlobalScope; in Node there is none.
if (typeof WorkerGlobalScope !== "undefined" && globalThis instanceof WorkerGlobalScope) {
  globalThis.onmessage = (event) =>
    handleMessage(event.data, (reply) => globalThis.postMessage(reply));
}
