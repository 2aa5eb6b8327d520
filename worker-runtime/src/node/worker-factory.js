// Creates pool workers as Node worker threads running src/worker.js through worker-entry.js.

import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";

const ENTRY = new URL("./worker-entry.js", import.meta.url);

/** One worker per core, as the browser's navigator.hardwareConcurrency would give. */
export const defaultWorkers = () => availableParallelism();

/**
 * The Node worker factory for Pool: see Pool's `createWorker` option.
 * @param {{onMessage: (data: object) => void, onError: (error: Error) => void}} handlers
 * @returns {{postMessage: (message: object) => void, terminate: () => void}}
 */
export function createNodeWorker({ onMessage, onError }) {
  const worker = new Worker(ENTRY);
  let terminated = false;
  worker.on("message", onMessage);
  worker.on("error", (e) => onError(e instanceof Error ? e : new Error(String(e))));
  worker.on("messageerror", (e) => onError(new Error(`message could not be read: ${e}`)));
  worker.on("exit", (code) => {
    if (!terminated) onError(new Error(`worker exited with code ${code}`));
  });
  return {
    postMessage: (message) => worker.postMessage(message),
    terminate: () => {
      terminated = true;
      worker.terminate().catch(() => {});
    },
  };
}
