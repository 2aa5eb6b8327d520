// Starting the volunteer runtime after consent. The runtime is imported from the Surge server, which
// is usually another origin than the page; the runtime starts its own workers from blob: importers
// then (worker-runtime/src/browser/module-worker.js), hence `worker-src blob:` in the CSP and CORS
// on the server's runtime files.

/** Where the server serves worker-runtime's src/. */
export const runtimePath = "/surge/runtime/browser/index.js";

/**
 * Builds a volunteer from the imported runtime module.
 * @param {object} runtime the module namespace of `${server}/surge/runtime/browser/index.js`
 * @param {object} o
 * @param {string} o.server
 * @param {number} o.cpu accepted CPU level, percent
 * @param {(r: {fresh: boolean}) => Promise<string>} o.getToken
 * @param {(detail: {state: string}) => void} o.onStateChange
 * @param {() => void} o.onTaskDone
 * @returns {{start: () => void, stop: (o?: object) => Promise<void>|void, stats?: object}}
 */
export function createVolunteer(runtime, o) {
  if (typeof runtime?.createBrowserVolunteer !== "function") {
    throw new Error("the runtime module exports no createBrowserVolunteer");
  }
  const options = {
    server: o.server,
    getToken: o.getToken,
    // `cpu` is the runtime's duty cycle (percent of each worker's time): the one place the level
    // is held, so the worker count stays the runtime's (one per core, capped).
    cpu: o.cpu,
    onStateChange: o.onStateChange,
    onTaskDone: o.onTaskDone,
  };
  return runtime.createBrowserVolunteer(options);
}
