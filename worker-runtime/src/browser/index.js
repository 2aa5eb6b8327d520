// Browser entry: a Volunteer with the native WebSocket and module Web Workers.

import { Volunteer } from "../volunteer.js";
import { createBrowserWorker, defaultWorkers } from "./worker-factory.js";
import { workerInterval } from "./worker-timer.js";

export * from "../index.js";
export { createBrowserWorker };

/**
 * A Volunteer for a browser tab. Options as for Volunteer; `WebSocket`, `createWorker`,
 * `workers` (navigator.hardwareConcurrency) and a worker-driven `heartbeatTimer` are filled in.
 * @param {ConstructorParameters<typeof Volunteer>[0]} options
 * @returns {Volunteer}
 */
export function createBrowserVolunteer(options) {
  return new Volunteer({
    WebSocket: globalThis.WebSocket,
    createWorker: createBrowserWorker,
    heartbeatTimer: workerInterval,
    ...options,
    workers: options?.workers ?? defaultWorkers(),
  });
}
