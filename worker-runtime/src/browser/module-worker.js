// Starts a module Web Worker from a URL that may be on another origin. A site embeds the banner
// from the Surge server, so the runtime, and with it worker.js, comes from the server's origin,
// and `new Worker(url)` refuses a cross-origin script. A same-origin blob module that imports the
// script works instead: the import is an ordinary CORS request (the server sends
// Access-Control-Allow-Origin for the site), and the site's CSP must allow `worker-src blob:`.

/**
 * @param {URL} url the worker's module script
 * @param {string} name shown in the browser's task manager and devtools
 * @returns {Worker}
 */
export function moduleWorker(url, name) {
  const here = globalThis.location?.origin;
  if (!here || url.origin === here) return new Worker(url, { type: "module", name });
  const source = `import ${JSON.stringify(url.href)};`;
  const blob = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return new Worker(blob, { type: "module", name });
  } finally {
    // The worker has fetched its script by the time it runs; revoking later leaks nothing.
    setTimeout(() => URL.revokeObjectURL(blob), 60_000);
  }
}
