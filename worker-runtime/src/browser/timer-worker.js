// Ticks for the main thread at a fixed interval. Timers in a dedicated worker escape the
// once-a-minute throttling that Chrome applies to a hidden tab's repeating timers, which would
// otherwise starve heartbeats and get the connection closed with 4408.

globalThis.onmessage = (event) => {
  setInterval(() => globalThis.postMessage(null), event.data);
};
