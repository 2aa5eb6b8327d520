import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { startFakeServer, until, makeTask } from "./helpers/fake-server.js";
import { wasmBytes, sha256 } from "./helpers/wasm.js";

const BIN = fileURLToPath(new URL("../../bin/surge-volunteer", import.meta.url));
const env = { ...process.env, SURGE_SERVER: "" };

test("without --server or SURGE_SERVER it exits 2 naming the missing option", () => {
  const run = spawnSync(BIN, [], { env, encoding: "utf8" });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /missing option --server/);
});

test("without --key or SURGE_VOLUNTEER_KEY it exits 2 naming the missing option", () => {
  const run = spawnSync(BIN, ["--server", "http://127.0.0.1:1"], {
    env: { ...env, SURGE_VOLUNTEER_KEY: "" },
    encoding: "utf8",
  });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /missing option --key/);
});

test("a bad --workers value is refused with the value it got", () => {
  const run = spawnSync(BIN, ["--server", "http://127.0.0.1:1", "--key", "k", "--workers", "two"], {
    env,
    encoding: "utf8",
  });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--workers must be a whole number.*'two'/);
});

test("says hello with its volunteer key, runs tasks, and on SIGTERM releases them and exits 0", async (t) => {
  const loop = wasmBytes("loop");
  const hello = wasmBytes("hello");
  const server = await startFakeServer({
    kernels: { [sha256(loop)]: loop, [sha256(hello)]: hello },
  });
  t.after(() => server.close());
  const child = spawn(BIN, ["--workers", "1"], {
    env: { ...process.env, SURGE_SERVER: server.url, SURGE_VOLUNTEER_KEY: "surgevk_test" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  t.after(() => child.kill("SIGKILL"));

  await until(() => server.sent("hello").length === 1, "hello", 10000);
  assert.deepEqual(server.consents, [], "no consent is asked for");
  assert.equal(server.sent("hello")[0].key, "surgevk_test");
  assert.equal(server.sent("hello")[0].token, undefined);
  assert.equal(server.sent("hello")[0].workers, 1);
  assert.match(server.sent("hello")[0].agent, /^surge-volunteer\/\S+ node\/\d+/);

  server.send({ type: "tasks", tasks: [makeTask(sha256(hello), 0)] });
  await until(() => server.sent("results").length === 1, "result", 10000);
  const looping = makeTask(sha256(loop), 1);
  server.send({ type: "tasks", tasks: [looping] });
  await until(() => stderr.includes("connected"), "log line");
  await new Promise((r) => setTimeout(r, 200)); // let it start spinning
  child.kill("SIGTERM");

  assert.equal(await exited, 0);
  const [release] = server.sent("release");
  assert.equal(release.reason, "closing");
  assert.deepEqual(release.tasks, [{ job: looping.job, index: 1, lease: looping.lease }]);
  await until(() => server.last.closed, "close");
  assert.equal(server.last.closed.code, 1000);
  assert.match(stderr, /connected, session v-test/);
  assert.match(stderr, /stopping/);
  assert.match(stderr, /stopped after 1 tasks done/);
});

test("while the server is unreachable it logs the failure and the backoff", async (t) => {
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn(BIN, ["--server", `http://127.0.0.1:${port}`, "--key", "surgevk_test"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  t.after(() => child.kill("SIGKILL"));
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  await until(() => stderr.includes("reconnecting in"), "a disconnected line", 10000);
  assert.match(stderr, /disconnected: .*reconnecting in \d+\.\d s/);
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  child.kill("SIGINT");
  assert.equal(await exited, 0);
  assert.match(stderr, /stopped after 0 tasks done/);
});

test("--consent joins as a web visitor: a consent token asked with the page's Origin, no key", async (t) => {
  const hello = wasmBytes("hello");
  const consentOrigins = [];
  const server = await startFakeServer({
    kernels: { [sha256(hello)]: hello },
    route: (req) => {
      if (req.url === "/api/consent") consentOrigins.push(req.headers.origin);
      return false;
    },
  });
  t.after(() => server.close());
  const child = spawn(
    BIN,
    ["--consent", "demo", "--origin", "http://page.example:8000/x", "--workers", "1"],
    {
      env: { ...process.env, SURGE_SERVER: server.url, SURGE_VOLUNTEER_KEY: "surgevk_ignored" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  t.after(() => child.kill("SIGKILL"));

  await until(() => server.sent("hello").length === 1, "hello", 10000);
  assert.deepEqual(server.consents, [
    { site: "http://page.example:8000", project: "demo", revision: 1, cpu: 100 },
  ]);
  assert.deepEqual(consentOrigins, ["http://page.example:8000"]);
  assert.equal(server.sent("hello")[0].token, "token-1");
  assert.equal(server.sent("hello")[0].key, undefined, "a visitor has no key");
  assert.equal(server.last.origin, "http://page.example:8000", "the socket carries the Origin");
  server.send({ type: "tasks", tasks: [makeTask(sha256(hello), 0)] });
  await until(() => server.sent("results").length === 1, "result", 10000);
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
  assert.match(stderr, /consented to project 'demo' as a page of http:\/\/page\.example:8000/);
});

test("a refused consent exits 1 naming the project, the origin and the server's reason", async (t) => {
  const server = await startFakeServer({
    route: (req, res) => {
      if (req.url !== "/api/consent") return false;
      res.writeHead(403, { "content-type": "application/json" });
      res.end('{"error":"pages of http://evil.example may not volunteer"}');
      return true;
    },
  });
  t.after(() => server.close());
  // Not spawnSync: the fake server answers from this process's event loop.
  const child = spawn(
    BIN,
    ["--server", server.url, "--consent", "demo", "--origin", "http://evil.example"],
    { env, stdio: ["ignore", "ignore", "pipe"] },
  );
  t.after(() => child.kill("SIGKILL"));
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const status = await new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const run = { status, stderr };
  assert.equal(run.status, 1);
  assert.match(
    run.stderr,
    /could not consent to project 'demo' as a page of http:\/\/evil\.example: .*403: pages of http:\/\/evil\.example may not volunteer/,
  );
  assert.equal(server.sent("hello").length, 0, "no socket without a consent");
});

test("--consent with --key, a bad project id or --origin alone is a usage error", () => {
  const cases = [
    [["--consent", "demo", "--key", "k"], /either --key or --consent/],
    [["--consent", "Demo!"], /--consent must be a project id.*'Demo!'/],
    [["--key", "k", "--origin", "http://a.example"], /--origin and --revision go with --consent/],
    [["--consent", "demo", "--origin", "ftp://a.example"], /--origin must be an http\(s\) origin/],
  ];
  for (const [args, message] of cases) {
    const run = spawnSync(BIN, ["--server", "http://127.0.0.1:1", ...args], {
      env,
      encoding: "utf8",
    });
    assert.equal(run.status, 2, args.join(" "));
    assert.match(run.stderr, message);
  }
});
