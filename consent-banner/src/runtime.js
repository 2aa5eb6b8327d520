// Starting the volunteer runtime after consent. The runtime is imported from the Surge server, which
// is usually another origin than the page; the runtime starts its own workers from blob: importers
// then (worker-runtime/src/browser/module-worker.js), hence `worker-src blob:` in the CSP and CORS
// on the server's runtime files.

/** Where the server serves worker-runtime's src/. */
export const runtimePath = "/surge/runtime/browser/index.js";

/**
 * Makes this page's volunteer from the imported runtime module: the runtime's BrowserVolunteer,
 * which keeps the volunteer's manners (no start on low battery or data saving, a pause while the
 * page is hidden, tasks given back when the page goes). Not started: call `start()`.
 * @param {object} runtime the module namespace of `${server}/surge/runtime/browser/index.js`
 * @param {object} o
 * @param {string} o.server
 * @param {number} o.cpu accepted CPU level, percent
 * @param {(r: {fresh: boolean}) => Promise<string>} o.getToken
 * @param {(detail: {state: string}) => void} o.onStateChange the connection's state
 * @param {(detail: {activity: string, reason?: string}) => void} o.onActivity running, paused,
 *   blocked (with the reason), stopped
 * @param {() => void} o.onTaskDone
 * @returns {{start: () => Promise<string>, stop: (o?: object) => Promise<void>, stats: object}}
 */
export function createVolunteer(runtime, o) {
  if (typeof runtime?.create !== "function") {
    throw new Error("the runtime module exports no create()");
  }
  return runtime.create({
    server: o.server,
    getToken: o.getToken,
    // `cpu` is the runtime's duty cycle (percent of each worker's time): the one place the level
    // is held, so the worker count stays the runtime's (one per core, capped).
    cpu: o.cpu,
    onStateChange: o.onStateChange,
    onActivity: o.onActivity,
    onTaskDone: o.onTaskDone,
  });
}
