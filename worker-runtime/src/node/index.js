// Node entry: a Volunteer with the `ws` WebSocket (Node 20 has no global one) and worker threads.

import { WebSocket } from "ws";
import { Volunteer } from "../volunteer.js";
import { createNodeWorker, defaultWorkers } from "./worker-factory.js";

export * from "../index.js";
export { createNodeWorker };

/**
 * A Volunteer for a Node process. Options as for Volunteer; `WebSocket`, `createWorker` and
 * `workers` (os.availableParallelism()) are filled in.
 * @param {ConstructorParameters<typeof Volunteer>[0]} options
 * @returns {Volunteer}
 */
export function createNodeVolunteer(options) {
  return new Volunteer({
    WebSocket,
    createWorker: createNodeWorker,
    ...options,
    workers: options?.workers ?? defaultWorkers(),
  });
}
