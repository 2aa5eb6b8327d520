// Node entry: a Volunteer with the `ws` WebSocket (Node 20 has no global one) and worker threads.

import { WebSocket } from "ws";
import { Volunteer } from "../volunteer.js";
import { createNodeWorker, defaultWorkers } from "./worker-factory.js";
import { compileWasmOptimised } from "./wasm-tiers.js";

export * from "../index.js";
export { createNodeWorker, compileWasmOptimised };

/**
 * A Volunteer for a Node process. Options as for Volunteer; `WebSocket`, `createWorker` and
 * `workers` (os.availableParallelism()) are filled in. Unless `optimisedWasm` is false, it makes
 * V8 compile kernels straight to optimised code for the whole process (wasm-tiers.js), so a
 * kernel's first task runs as fast as later ones.
 * @param {ConstructorParameters<typeof Volunteer>[0] & {optimisedWasm?: boolean}} options
 * @returns {Volunteer}
 */
export function createNodeVolunteer(options) {
  if (options?.optimisedWasm !== false) compileWasmOptimised();
  return new Volunteer({
    WebSocket,
    createWorker: createNodeWorker,
    ...options,
    workers: options?.workers ?? defaultWorkers(),
  });
}
