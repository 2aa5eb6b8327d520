#!/usr/bin/env node
// Serves the demo site on its own origin with a strict Content-Security-Policy, as a real site
// embedding the Surge banner would: scripts, styles, connections and workers only from the site
// itself and the Surge server; no inline script or style.
//   node examples/site/serve.mjs --server http://localhost:8080 [--port 8081]

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(new URL("./", import.meta.url));
const FILES = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/index.html": ["index.html", "text/html; charset=utf-8"],
  "/site.css": ["site.css", "text/css; charset=utf-8"],
};

/**
 * The policy for a page that embeds the banner from `server`. The runtime's workers start from a
 * blob: module that imports the worker script from the server (see
 * worker-runtime/src/browser/module-worker.js), hence `worker-src blob:`; it compiles the kernels
 * with WebAssembly.compile, which a policy allows only with `'wasm-unsafe-eval'` (WebAssembly
 * alone: JavaScript eval stays forbidden).
 * @param {string} server e.g. http://localhost:8080
 */
export function contentSecurityPolicy(server) {
  const origin = new URL(server).origin;
  const socket = origin.replace(/^http/, "ws");
  return [
    "default-src 'none'",
    `script-src 'self' ${origin} 'wasm-unsafe-eval'`,
    `style-src 'self' ${origin}`,
    "img-src 'self' data:",
    `connect-src 'self' ${origin} ${socket}`,
    `worker-src ${origin} blob:`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function options(argv) {
  const o = { port: 8081, server: process.env.SURGE_SERVER };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split("=", 2);
    const value = inline ?? argv[++i];
    if (name === "--port") o.port = Number(value);
    else if (name === "--server") o.server = value;
    else throw new Error(`unknown option '${argv[i]}' (use --server URL --port N)`);
  }
  if (!o.server) throw new Error("--server URL (or SURGE_SERVER) is required");
  if (!/^https?:\/\//.test(o.server)) throw new Error(`--server must be an http(s) URL`);
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) {
    throw new Error(`--port must be a port number`);
  }
  o.server = o.server.replace(/\/+$/, "");
  return o;
}

async function main() {
  let o;
  try {
    o = options(process.argv.slice(2));
  } catch (e) {
    console.error(`serve.mjs: ${e.message}`);
    process.exit(2);
  }
  const csp = contentSecurityPolicy(o.server);
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://site").pathname;
    const file = FILES[path];
    if (!file || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    let body = await readFile(HERE + file[0], "utf8");
    body = body.replaceAll("{{SURGE_SERVER}}", o.server);
    res.writeHead(200, {
      "content-type": file[1],
      "content-security-policy": csp,
      "x-content-type-options": "nosniff",
      "referrer-policy": "strict-origin-when-cross-origin",
      "cache-control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  server.listen(o.port, () => {
    console.log(`serve.mjs: the demo site is at http://localhost:${o.port}/ (Surge: ${o.server})`);
  });
  const quit = () => server.close(() => process.exit(0));
  process.on("SIGTERM", quit);
  process.on("SIGINT", quit);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
