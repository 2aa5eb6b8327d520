// The environment-neutral API. Browsers start from src/browser/index.js, Node from
// src/node/index.js; both only add a WebSocket and a worker factory.

export { Volunteer, volunteerUrl, AGENT } from "./volunteer.js";
export { Pool } from "./pool.js";
export { KernelCache, KernelUnavailableError, sha256Hex } from "./kernel-cache.js";
export { Transport, backoffDelay } from "./transport.js";
export { runKernel } from "./run-kernel.js";
export { requestConsentToken, consentTokenProvider } from "./consent.js";
export * as protocol from "./protocol.js";
