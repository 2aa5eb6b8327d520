// The banner in real Chromium, embedded in a page of another origin under a strict CSP: before
// consent only banner.js and the project info are fetched; accepting starts the real runtime
// (served like the server will: worker-runtime's src/ under /surge/runtime/), whose blob: workers
// run kernels; Stop closes the socket and revokes the token. No CSP violation, no warning.
// Needs /usr/bin/chromium and `npm ci --prefix worker-runtime`. Run: npm run it:browser

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// The flags every Surge test and benchmark starts Chromium with: one list, shared with the Java ITs.
const CHROMIUM_FLAGS = JSON.parse(
  readFileSync(
    new URL(
      "../../test-support/src/main/resources/surge/testing/chromium-flags.json",
      import.meta.url,
    ),
    "utf8",
  ),
).flags;
const HERE = fileURLToPath(new URL("../", import.meta.url));
const RUNTIME = fileURLToPath(new URL("../../worker-runtime/", import.meta.url));
const ready = existsSync(CHROMIUM) && existsSync(`${RUNTIME}node_modules/ws`);

// The page's own script: reports to its server, drives the banner like a visitor would.
const HOST_JS = `
const report = (m) => fetch("/report", { method: "POST", body: m });
addEventListener("securitypolicyviolation", (e) => report("CSP " + e.violatedDirective + " " + e.blockedURI));
const warn = console.warn;
console.warn = (...a) => { report("WARN " + a.join(" ")); warn(...a); };
document.addEventListener("surge:ready", () => {
  const host = document.querySelector("[data-surge=root]");
  const root = host.shadowRoot;
  const banner = root.querySelector("[data-surge=banner]");
  report("ready " + JSON.stringify({
    banner: banner?.getAttribute("role"),
    sheets: root.adoptedStyleSheets.length,
    focused: root.activeElement === banner,
    position: getComputedStyle(banner).position,
    animation: getComputedStyle(banner).animationName,
  }));
  setTimeout(() => {
    root.querySelector("[data-surge=cpu-50]").click();
    root.querySelector("[data-surge=accept]").click();
  }, 200);
});
document.addEventListener("surge:progress", (e) => {
  if (e.detail.tasksDone < 4) return;
  const root = document.querySelector("[data-surge=root]").shadowRoot;
  report("progress " + root.querySelector("[data-surge=progress]").textContent);
  root.querySelector("[data-surge=stop]").click();
  report("stopped " + SurgeConsent.status());
});
`;

test(
  "cross-origin under a strict CSP: nothing before consent, kernels run after, Stop stops",
  { skip: ready ? false : "needs Chromium and worker-runtime's node_modules", timeout: 90_000 },
  async (t) => {
    const { startFakeServer, until, makeTask } = await import(
      `${RUNTIME}test/helpers/fake-server.js`
    );
    const { wasmBytes, sha256 } = await import(`${RUNTIME}test/helpers/wasm.js`);
    const echo = wasmBytes("echo");
    const requests = [];
    const revokes = [];
    const serve = (res, type, body) => {
      res.writeHead(200, { "content-type": type });
      res.end(body);
    };
    const surge = await startFakeServer({
      kernels: { [sha256(echo)]: echo },
      welcome: { batch: 8, prefetchBelow: 0, heartbeatMs: 1000 },
      route(req, res) {
        requests.push(`${req.method} ${req.url}`);
        res.setHeader("access-control-allow-origin", "*");
        if (req.method === "OPTIONS") {
          res.writeHead(204, { "access-control-allow-headers": "content-type" });
          res.end();
          return true;
        }
        const file = /^\/surge\/(banner\.(js|css))$/.exec(req.url);
        if (file)
          return (serve(res, "text/javascript", readFileSync(`${HERE}dist/${file[1]}`)), true);
        if (req.url === "/api/projects/wildfire") {
          const info = {
            id: "wildfire",
            centre: "Test Centre",
            name: "Wildfire",
            purpose: "tests.",
          };
          serve(res, "application/json", JSON.stringify({ ...info, revision: 1 }));
          return true;
        }
        if (req.url === "/api/consent/revoke") {
          let body = "";
          req.on("data", (c) => (body += c));
          req.on("end", () => (revokes.push(JSON.parse(body)), res.writeHead(204), res.end()));
          return true;
        }
        const rt = /^\/surge\/(runtime|node_modules)\/([\w@/.-]+\.js)$/.exec(req.url);
        if (rt && !rt[2].includes("..")) {
          const path = rt[1] === "runtime" ? `src/${rt[2]}` : `node_modules/${rt[2]}`;
          if (existsSync(RUNTIME + path))
            return (serve(res, "text/javascript", readFileSync(RUNTIME + path)), true);
        }
        return false;
      },
    });
    t.after(() => surge.close());

    const wsUrl = surge.url.replace("http:", "ws:");
    const csp = [
      "default-src 'none'",
      `script-src 'self' ${surge.url} 'wasm-unsafe-eval'`,
      `connect-src 'self' ${surge.url} ${wsUrl}`,
      // blob: for the workers; the server because Chromium checks a module worker's imports
      // against worker-src too.
      `worker-src blob: ${surge.url}`,
      `style-src ${surge.url}`,
    ].join("; ");
    const reports = [];
    const page = createServer((req, res) => {
      if (req.url === "/") {
        res.writeHead(200, { "content-type": "text/html", "content-security-policy": csp });
        res.end(`<!doctype html><title>host</title><p>A news site.</p><script src="/host.js"></script>
<script src="${surge.url}/surge/banner.js" data-project="wildfire" defer></script>`);
      } else if (req.url === "/host.js") {
        serve(res, "text/javascript", HOST_JS);
      } else if (req.url === "/report") {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => (reports.push(body), res.end()));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    // "localhost" rather than 127.0.0.1: another origin than the Surge server's.
    await new Promise((resolve) => page.listen(0, "127.0.0.1", resolve));
    t.after(() => page.close());
    const pageUrl = `http://localhost:${page.address().port}/`;

    const profile = mkdtempSync(join(tmpdir(), "surge-banner-chromium-"));
    const browser = spawn(
      CHROMIUM,
      [...CHROMIUM_FLAGS, "--force-prefers-reduced-motion", `--user-data-dir=${profile}`, pageUrl],
      // Its own process group, so that the renderers and helpers end with it.
      { stdio: "ignore", detached: true },
    );
    t.after(async () => {
      // Chromium's children may still write to the profile until the browser has exited.
      const exited = new Promise((resolve) => browser.once("exit", resolve));
      process.kill(-browser.pid, "SIGKILL");
      await exited;
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch {
        // a helper still closing a file: a stray temporary profile is harmless
      }
    });

    await until(() => reports.some((r) => r.startsWith("ready")), "the banner", 30_000);
    assert.deepEqual(JSON.parse(reports.find((r) => r.startsWith("ready")).slice(6)), {
      banner: "dialog",
      sheets: 1,
      focused: true,
      position: "fixed",
      animation: "none", // Chromium runs with --force-prefers-reduced-motion: no slide-in
    });
    // The host clicks Accept 200 ms after the banner is ready: these are the requests before.
    assert.deepEqual(requests, ["GET /surge/banner.js", "GET /api/projects/wildfire"]);
    assert.equal(surge.connections.length, 0);

    await until(() => surge.sent("hello").length > 0, "the volunteer's hello", 30_000);
    assert.deepEqual(surge.consents[0], {
      site: pageUrl.slice(0, -1),
      project: "wildfire",
      revision: 1,
      cpu: 50,
    });
    assert.equal(surge.sent("hello")[0].token, "token-1");
    surge.send({
      type: "tasks",
      tasks: Array.from({ length: 4 }, (_, i) => makeTask(sha256(echo), i, { stdin: `t${i}` })),
    });
    await until(() => reports.some((r) => r.startsWith("stopped")), "Stop", 30_000);
    const results = surge.sent("results").flatMap((m) => m.results);
    assert.equal(results.length, 4);
    assert.match(
      reports.find((r) => r.startsWith("progress")),
      /^progress 4 tasks done, \d+ s CPU time$/,
    );
    assert.ok(reports.includes("stopped stopped"));
    await until(() => surge.last.closed !== null, "the socket closed", 10_000);
    await until(() => revokes.length === 1, "the revoke", 10_000);
    assert.deepEqual(revokes[0], { token: "token-1" });
    assert.deepEqual(
      reports.filter((r) => /^(CSP|WARN)/.test(r)),
      [],
      "no CSP violation, no warning",
    );
  },
);
