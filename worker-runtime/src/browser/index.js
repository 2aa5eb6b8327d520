// Browser entry: a Volunteer with the native WebSocket and module Web Workers.

import { Volunteer } from "../volunteer.js";
import { createBrowserWorker, defaultWorkers } from "./worker-factory.js";

export * from "../index.js";
export { createBrowserWorker };

/**
 * A Volunteer for a browser tab. Options as for Volunteer; `WebSocket`, `createWorker` and
 * `workers` (navigator.hardwareConcurrency) are filled in.
 * @param {ConstructorParameters<typeof Volunteer>[0]} options
 * @returns {Volunteer}
 */
export function createBrowserVolunteer(options) {
  return new Volunteer({
    WebSocket: globalThis.WebSocket,
    createWorker: createBrowserWorker,
    ...options,
    workers: options?.workers ?? defaultWorkers(),
  });
}
