// The runtime in real Chromium: the page loads src/browser/index.js as served files (no bundler),
// runs tasks in module Web Workers against the fake server, and the server checks the results.
// Skipped when Chromium is not installed. Run: npm run it:browser

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeServer, until, makeTask } from "../test/helpers/fake-server.js";
import { wasmBytes, sha256 } from "../test/helpers/wasm.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PAGE = `<!doctype html><title>surge</title><script type="module">
import { createBrowserVolunteer } from "/runtime/src/browser/index.js";
const v = createBrowserVolunteer({ server: location.origin, workers: 2, getToken: () => "browser" });
v.start();
</script>`;

// Serves the page and the runtime's files (src/ and node_modules/) under /runtime/.
function route(req, res) {
  if (req.url === "/") {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(PAGE);
    return true;
  }
  if (!req.url.startsWith("/runtime/")) return false;
  const path = req.url.slice("/runtime/".length);
  if (path.includes("..") || !/^(src|node_modules)\//.test(path) || !existsSync(ROOT + path)) {
    res.writeHead(404);
    res.end();
    return true;
  }
  res.writeHead(200, { "content-type": "text/javascript" });
  res.end(readFileSync(ROOT + path));
  return true;
}

test(
  "a browser tab runs tasks in Web Workers, reports a trap and obeys a cancel",
  {
    skip: existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}`,
    timeout: 60_000,
  },
  async (t) => {
    const echo = wasmBytes("echo");
    const trap = wasmBytes("trap");
    const loop = wasmBytes("loop");
    const server = await startFakeServer({
      kernels: { [sha256(echo)]: echo, [sha256(trap)]: trap, [sha256(loop)]: loop },
      welcome: { batch: 50, prefetchBelow: 0, heartbeatMs: 200 },
      route,
    });
    t.after(() => server.close());
    const profile = mkdtempSync(join(tmpdir(), "surge-chromium-"));
    const browser = spawn(
      CHROMIUM,
      [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        `--user-data-dir=${profile}`,
        `${server.url}/`,
      ],
      { stdio: "ignore" },
    );
    t.after(() => {
      browser.kill("SIGKILL");
      rmSync(profile, { recursive: true, force: true });
    });

    await until(() => server.sent("request").length > 0, "the page's request", 30_000);
    assert.match(server.sent("hello")[0].agent, /^surge-volunteer\//);
    const tasks = Array.from({ length: 40 }, (_, i) =>
      makeTask(sha256(echo), i, { stdin: `t${i}` }),
    );
    tasks.push(makeTask(sha256(trap), 40), makeTask(sha256(loop), 41));
    server.send({ type: "tasks", tasks });
    const results = () => server.sent("results").flatMap((m) => m.results);
    await until(() => results().length === 41, "41 results", 30_000);
    server.send({ type: "cancel", tasks: [{ job: "j-1", index: 41 }], reason: "test" });
    server.send({ type: "tasks", tasks: [makeTask(sha256(echo), 42, { stdin: "after" })] });
    await until(() => results().length === 42, "the result after the cancel", 30_000);

    const byIndex = new Map(results().map((r) => [r.index, r]));
    for (let i = 0; i < 40; i++) {
      assert.equal(Buffer.from(byIndex.get(i).stdout, "base64").toString(), `t${i}`);
    }
    assert.equal(byIndex.get(40).status, "trap");
    assert.match(Buffer.from(byIndex.get(40).stderr, "base64").toString(), /RuntimeError/);
    assert.equal(byIndex.has(41), false, "the cancelled task sent no result");
    assert.equal(Buffer.from(byIndex.get(42).stdout, "base64").toString(), "after");
    assert.deepEqual(server.invalid, []);
  },
);
