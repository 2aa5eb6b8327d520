// Browser entry: a Volunteer with the native WebSocket and module Web Workers, and `start`/`stop`
// for the consent banner, which imports this file from the Surge server after the person agreed.

import { Volunteer } from "../volunteer.js";
import { DEFAULT_BROWSER_CPU } from "../duty-cycle.js";
import { createBrowserWorker, defaultWorkers } from "./worker-factory.js";
import { workerInterval } from "./worker-timer.js";
import { BrowserVolunteer, reasonNotToStart, LOW_BATTERY } from "./browser-volunteer.js";

export * from "../index.js";
export { createBrowserWorker, BrowserVolunteer, reasonNotToStart, LOW_BATTERY };
export { DEFAULT_BROWSER_CPU };

/**
 * A Volunteer for a browser tab. Options as for Volunteer; `WebSocket`, `createWorker`,
 * `workers` (navigator.hardwareConcurrency) and a worker-driven `heartbeatTimer` are filled in.
 * No manners (visibility, battery, page close): use start() for those.
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

let active = null;

/**
 * Makes this tab's volunteer without starting it, stopping one made before (its tasks are given
 * back at once): for a caller that needs the handle while the device checks of start() run, as the
 * consent banner does to stop it at any moment. Options as for start().
 * @param {object} options
 * @returns {BrowserVolunteer}
 */
export function create(options) {
  const previous = active;
  const volunteer = new BrowserVolunteer(options, { createVolunteer: createBrowserVolunteer });
  active = volunteer;
  volunteer.addEventListener("activity", (e) => {
    if (e.detail.activity === "stopped" && active === volunteer) active = null;
  });
  previous?.stop();
  return volunteer;
}

/**
 * Starts this tab's volunteer (stopping one started before): `{server, token, cpu}` and any
 * Volunteer option; `cpu` defaults to 50. Resolves with the BrowserVolunteer, whose `activity`
 * says whether it runs (`running`, `paused` while hidden) or why not (`blocked`, with the reason
 * in its `activity` event). Throws TypeError for a missing `server` or a `cpu` outside 1..100.
 * @param {object} options
 * @returns {Promise<BrowserVolunteer>}
 */
export async function start(options) {
  const volunteer = create(options);
  await volunteer.start();
  return volunteer;
}

/**
 * The BrowserVolunteer create() or start() made that has not stopped, or null: for a banner's
 * control (stats, setCpu) and for tests.
 * @returns {BrowserVolunteer|null}
 */
export function current() {
  return active;
}

/**
 * Stops the volunteer start() started: workers end at once, held tasks are released, the socket
 * closes. Resolves when closed; never rejects.
 * @returns {Promise<void>}
 */
export function stop() {
  const volunteer = active;
  active = null;
  return volunteer ? volunteer.stop() : Promise.resolve();
}
