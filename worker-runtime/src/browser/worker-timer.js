// A repeating timer driven from a dedicated worker (see timer-worker.js), for heartbeats.

import { moduleWorker } from "./module-worker.js";

const TIMER_URL = new URL("./timer-worker.js", import.meta.url);

/**
 * Calls `fn` every `ms` milliseconds, also in a hidden tab. Falls back to setInterval where a
 * worker cannot be started.
 * @param {() => void} fn
 * @param {number} ms
 * @returns {() => void} stops the timer
 */
export function workerInterval(fn, ms) {
  try {
    const worker = moduleWorker(TIMER_URL, "surge-timer");
    worker.onmessage = () => fn();
    worker.postMessage(ms);
    return () => worker.terminate();
  } catch {
    const id = setInterval(fn, ms);
    return () => clearInterval(id);
  }
}
