// Creates pool workers as module Web Workers running src/worker.js.

import { moduleWorker } from "./module-worker.js";

const WORKER_URL = new URL("../worker.js", import.meta.url);

/** One worker per logical core the browser reports. */
export const defaultWorkers = () => globalThis.navigator?.hardwareConcurrency || 1;

/**
 * The browser worker factory for Pool: see Pool's `createWorker` option.
 * @param {{onMessage: (data: object) => void, onError: (error: Error) => void}} handlers
 * @returns {{postMessage: (message: object) => void, terminate: () => void}}
 */
export function createBrowserWorker({ onMessage, onError }) {
  const worker = moduleWorker(WORKER_URL, "surge-task");
  worker.onmessage = (event) => onMessage(event.data);
  worker.onerror = (event) => {
    // Keep the error out of the host page's console handlers: the pool reports it.
    event.preventDefault();
    onError(new Error(event.message || "worker failed"));
  };
  worker.onmessageerror = () => onError(new Error("worker message could not be read"));
  return {
    postMessage: (message) => worker.postMessage(message),
    terminate: () => worker.terminate(),
  };
}
