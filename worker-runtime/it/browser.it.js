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

// Opens the page in a fresh headless Chromium, killed after the test.
function launch(t, url) {
  const profile = mkdtempSync(join(tmpdir(), "surge-chromium-"));
  const browser = spawn(
    CHROMIUM,
    [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, url],
    // Its own process group, so that the helpers (renderer, GPU, zygote) end with it: killed
    // alone, the main process leaves them writing the profile while it is being removed.
    { stdio: "ignore", detached: true },
  );
  const exited = new Promise((resolve) => browser.once("exit", resolve));
  t.after(async () => {
    process.kill(-browser.pid, "SIGKILL");
    await exited;
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  });
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
    launch(t, `${server.url}/`);

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

test(
  "a browser tab terminates the Web Worker of a task past its timeoutMs and reports a trap",
  {
    skip: existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}`,
    timeout: 60_000,
  },
  async (t) => {
    const echo = wasmBytes("echo");
    const loop = wasmBytes("loop");
    const server = await startFakeServer({
      kernels: { [sha256(echo)]: echo, [sha256(loop)]: loop },
      welcome: { batch: 50, prefetchBelow: 0, heartbeatMs: 200 },
      route,
    });
    t.after(() => server.close());
    launch(t, `${server.url}/`);
    await until(() => server.sent("request").length > 0, "the page's request", 30_000);

    // Both workers spin; only terminating them frees a worker for the echo after.
    const spinning = [0, 1].map((i) => makeTask(sha256(loop), i, { timeoutMs: 1500 }));
    server.send({ type: "tasks", tasks: spinning });
    const results = () => server.sent("results").flatMap((m) => m.results);
    await until(() => results().length === 2, "both reports", 30_000);
    server.send({ type: "tasks", tasks: [makeTask(sha256(echo), 2, { stdin: "fresh" })] });
    await until(() => results().length === 3, "the task after", 30_000);

    const byIndex = new Map(results().map((r) => [r.index, r]));
    for (const i of [0, 1]) {
      assert.equal(byIndex.get(i).status, "trap");
      assert.match(
        Buffer.from(byIndex.get(i).stderr, "base64").toString(),
        /ran past its time limit of 1500 ms; its worker was terminated/,
      );
    }
    assert.equal(Buffer.from(byIndex.get(2).stdout, "base64").toString(), "fresh");
    assert.deepEqual(server.sent("release"), []);
    assert.deepEqual(server.invalid, []);
  },
);

test(
  "a browser tab sends checkpoints of a running task and resumes a task that comes with one",
  {
    skip: existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}`,
    timeout: 120_000,
  },
  async (t) => {
    // The sample kernel as examples/kernels builds it (make -C examples/kernels).
    const mc = new Uint8Array(
      readFileSync(new URL("../../examples/kernels/build/wasm/montecarlo.wasm", import.meta.url)),
    );
    const sha = sha256(mc);
    const server = await startFakeServer({
      kernels: { [sha]: mc },
      welcome: {
        batch: 1,
        prefetchBelow: 0,
        heartbeatMs: 200,
        checkpointMs: 50,
        maxCheckpointBytes: 4096,
      },
      route,
    });
    t.after(() => server.close());
    launch(t, `${server.url}/`);
    await until(() => server.sent("request").length > 0, "the page's request", 30_000);

    const args = ["60000000"];
    server.send({ type: "tasks", tasks: [makeTask(sha, 5, { args })] });
    const results = () => server.sent("results").flatMap((m) => m.results);
    await until(() => results().length === 1, "the first result", 60_000);
    const checkpoints = server.sent("checkpoint");
    assert.ok(checkpoints.length >= 2, `${checkpoints.length} checkpoints`);
    const middle = checkpoints[Math.floor(checkpoints.length / 2)];
    const again = makeTask(sha, 5, { args });
    again.checkpoint = { progress: middle.progress, data: middle.data };
    await until(() => server.sent("request").length > 1, "the next request", 30_000);
    server.send({ type: "tasks", tasks: [again] });
    await until(() => results().length === 2, "the resumed result", 60_000);
    const [first, resumed] = results();
    assert.equal(first.status, "ok");
    assert.equal(resumed.stdout, first.stdout, "the same bytes after a resume");
    assert.match(Buffer.from(resumed.stderr, "base64").toString(), /resumed from checkpoint/);
    assert.deepEqual(server.invalid, []);
  },
);
