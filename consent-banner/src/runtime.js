// Starting the volunteer runtime after consent. The runtime is imported from the Surge server, which
// is usually another origin than the page: a browser refuses `new Worker(url)` across origins, so
// workers then start from a one-line blob: module that imports the server's worker script (hence
// `worker-src blob:` in the CSP, and CORS on the server's runtime files).

/** Where the server serves worker-runtime's src/. */
export const runtimePath = "/surge/runtime/browser/index.js";

/**
 * Builds a volunteer from the imported runtime module.
 * @param {object} runtime the module namespace of `${server}/surge/runtime/browser/index.js`
 * @param {object} o
 * @param {string} o.server
 * @param {string} o.runtimeUrl absolute URL the module was imported from
 * @param {number} o.cpu accepted CPU level, percent
 * @param {(r: {fresh: boolean}) => Promise<string>} o.getToken
 * @param {(detail: {state: string}) => void} o.onStateChange
 * @param {() => void} o.onTaskDone
 * @param {string} o.pageOrigin location.origin
 * @param {number} [o.cores] navigator.hardwareConcurrency
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
  if (new URL(o.runtimeUrl).origin !== o.pageOrigin) {
    options.createWorker = blobWorkerFactory(new URL("../worker.js", o.runtimeUrl).href);
    options.heartbeatTimer = blobInterval(new URL("./timer-worker.js", o.runtimeUrl).href);
  }
  return runtime.createBrowserVolunteer(options);
}

/** The source of a module worker that only imports `url` (kept as a function for the tests). */
export const importerSource = (url) => `import ${JSON.stringify(url)};\n`;

function blobUrl(url) {
  return URL.createObjectURL(new Blob([importerSource(url)], { type: "text/javascript" }));
}

// The pool's worker factory contract (worker-runtime/src/pool.js): handlers in, {postMessage,
// terminate} out.
function blobWorkerFactory(workerUrl) {
  let src = null;
  return ({ onMessage, onError }) => {
    src ??= blobUrl(workerUrl);
    const worker = new Worker(src, { type: "module", name: "surge-task" });
    worker.onmessage = (e) => onMessage(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      onError(new Error(e.message || "worker failed"));
    };
    worker.onmessageerror = () => onError(new Error("worker message could not be read"));
    return { postMessage: (m) => worker.postMessage(m), terminate: () => worker.terminate() };
  };
}

// The heartbeat timer contract: (fn, ms) => stop. A worker's timers are not throttled in a
// hidden tab; where no worker starts, setInterval.
function blobInterval(timerUrl) {
  let src = null;
  return (fn, ms) => {
    try {
      src ??= blobUrl(timerUrl);
      const worker = new Worker(src, { type: "module", name: "surge-timer" });
      worker.onmessage = () => fn();
      worker.postMessage(ms);
      return () => worker.terminate();
    } catch {
      const id = setInterval(fn, ms);
      return () => clearInterval(id);
    }
  };
}
