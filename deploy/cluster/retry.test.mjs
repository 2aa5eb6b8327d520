// The retry rules of deploy/nginx/surge-cluster.conf, on the real nginx: a request that reached an
// instance which then died is resent to another instance only when it is idempotent (a POST that
// creates a job must never run twice); a request whose connection was refused goes to the next
// instance whatever its method. The instances here are two small HTTP servers, since a Payara
// instance cannot be made to die at a chosen point of a request: one ("dying") reads the request
// and drops the connection without answering, the other ("live") answers and counts.
//   node --test deploy/cluster/
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { connect } from "node:net";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const NGINX = existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
const seen = { dying: [], live: [] };
const servers = [];
let dir;

function listen(server) {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(server.address().port)),
  );
}

function upstream(name) {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen[name].push(req.method);
      if (name === "dying") {
        req.socket.destroy(); // read the whole request, then gone without an answer
        return;
      }
      res.end(name);
    });
  });
  servers.push(server);
  return listen(server);
}

async function freePort() {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

// Starts nginx with the site file rendered for these upstream lines; resolves to its port and a
// stop function (by pid).
async function nginxWith(serverLines) {
  const port = await freePort();
  const site = readFileSync(join(ROOT, "deploy/nginx/surge-cluster.conf"), "utf8")
    .replaceAll("@LISTEN@", `127.0.0.1:${port}`)
    .replace(/^@SERVERS@$/m, serverLines.map((l) => `    ${l}`).join("\n"));
  const conf = join(dir, `nginx-${port}.conf`);
  writeFileSync(join(dir, `site-${port}.conf`), site);
  writeFileSync(
    conf,
    [
      "daemon off;",
      "worker_processes 1;",
      `pid ${dir}/nginx-${port}.pid;`,
      `error_log ${dir}/error.log info;`,
      "events { worker_connections 4096; }",
      "http {",
      `  access_log ${dir}/access.log;`,
      `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;`,
      `  include ${dir}/site-${port}.conf;`,
      "}",
      "",
    ].join("\n"),
  );
  execFileSync(NGINX, ["-t", "-q", "-p", dir, "-e", `${dir}/error.log`, "-c", conf]);
  const proc = spawn(NGINX, ["-p", dir, "-e", `${dir}/error.log`, "-c", conf], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        proc.once("exit", resolve);
        process.kill(proc.pid, "SIGTERM");
      }),
  };
}

async function send(port, method) {
  const r = await fetch(`http://127.0.0.1:${port}/api/jobs`, {
    method,
    headers: method === "POST" ? { "content-type": "application/json" } : {},
    body: method === "POST" ? '{"name":"x"}' : undefined,
  });
  return { status: r.status, body: await r.text() };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "surge-nginx-retry-"));
});

after(async () => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a POST that reached a dying instance is not resent; a GET is resent to a live one", async () => {
  const dying = await upstream("dying");
  const live = await upstream("live");
  // max_fails=0: no instance is skipped, so round robin alternates and both cases occur.
  const nginx = await nginxWith([
    `server 127.0.0.1:${dying} max_fails=0;`,
    `server 127.0.0.1:${live} max_fails=0;`,
  ]);
  try {
    seen.dying.length = 0;
    seen.live.length = 0;
    const posts = [];
    for (let i = 0; i < 6; i++) posts.push(await send(nginx.port, "POST"));
    const postsToDying = seen.dying.filter((m) => m === "POST").length;
    const postsToLive = seen.live.filter((m) => m === "POST").length;
    assert.ok(postsToDying >= 1, "no POST reached the dying instance: the case was not exercised");
    // Each POST reached exactly one instance: the ones the dying instance read were not resent.
    assert.equal(postsToDying + postsToLive, 6);
    assert.equal(posts.filter((p) => p.status === 502).length, postsToDying);
    assert.equal(posts.filter((p) => p.status === 200).length, postsToLive);

    seen.dying.length = 0;
    seen.live.length = 0;
    const gets = [];
    for (let i = 0; i < 6; i++) gets.push(await send(nginx.port, "GET"));
    assert.ok(
      seen.dying.length >= 1,
      "no GET reached the dying instance: the case was not exercised",
    );
    assert.deepEqual(
      gets.map((g) => g.status),
      [200, 200, 200, 200, 200, 200],
    );
    assert.equal(seen.live.length, 6, "every GET answered by the live instance");
  } finally {
    await nginx.stop();
  }
});

test("a POST whose connection was refused goes to the next instance, once", async () => {
  const refused = await freePort(); // nothing listens there
  seen.live.length = 0;
  const live = servers[1].address().port;
  const nginx = await nginxWith([
    `server 127.0.0.1:${refused} max_fails=0;`,
    `server 127.0.0.1:${live} max_fails=0;`,
  ]);
  try {
    const posts = [];
    for (let i = 0; i < 6; i++) posts.push(await send(nginx.port, "POST"));
    assert.deepEqual(
      posts.map((p) => p.status),
      [200, 200, 200, 200, 200, 200],
    );
    assert.equal(seen.live.filter((m) => m === "POST").length, 6, "each POST ran once");
  } finally {
    await nginx.stop();
  }
});

// The per-address cap on volunteer WebSockets (limit_conn on /volunteer): 1,000 held from one
// address, the next refused with 429 before it reaches an instance, and a place freed is taken.
test("one address holds at most 1,000 volunteer connections; the next gets 429", async () => {
  const held = [];
  // Holds every /volunteer request open without answering, as a WebSocket is held; answers the rest
  // (nginxWith's readiness probe).
  const holding = createServer((req, res) =>
    req.url === "/volunteer" ? held.push(req) : res.end("ok"),
  );
  servers.push(holding);
  const port = await listen(holding);
  const nginx = await nginxWith([`server 127.0.0.1:${port} max_fails=0;`]);
  const sockets = [];
  const open = () =>
    new Promise((resolve, reject) => {
      const s = connect(nginx.port, "127.0.0.1", () => {
        s.write("GET /volunteer HTTP/1.1\r\nHost: surge\r\n\r\n");
        resolve(s);
      });
      s.on("error", reject);
      sockets.push(s);
    });
  const answer = (s) =>
    new Promise((resolve) => {
      setTimeout(() => resolve("no answer within 5 s"), 5000).unref();
      let text = "";
      s.on("data", (d) => {
        text += d;
        if (text.includes("\r\n")) resolve(text.split("\r\n")[0]);
      });
    });
  try {
    for (let i = 0; i < 1000; i++) await open();
    for (let i = 0; i < 200 && held.length < 1000; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(held.length, 1000, "all 1,000 reached the instance");
    const extra = await open();
    assert.match(await answer(extra), /^HTTP\/1\.1 429/);
    assert.equal(held.length, 1000, "the refused one never reached the instance");
    sockets[0].destroy();
    await new Promise((r) => setTimeout(r, 300));
    await open();
    for (let i = 0; i < 100 && held.length < 1001; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(held.length, 1001, "a freed place is taken");
  } finally {
    for (const s of sockets) s.destroy();
    for (const r of held) r.socket.destroy();
    await nginx.stop();
  }
});
