#!/usr/bin/env node
// Connections one server instance holds: opens --connections volunteer WebSockets against a
// running server (bench/connections.sh starts one), each says hello with a volunteer key and then
// only heartbeats, as an idle volunteer does; at every step of --steps it records the server's
// resident memory and heap, its CPU, the handshake rate and the latency of /health while all of
// them stay connected for --hold seconds.
//
//   node bench/connections.mjs --server URL --server-pid PID --key KEY [--connections 2000]
//        [--steps 500,1000,2000] [--concurrency 200] [--hold 15] [--addresses 16] [--out FILE]
//        [--busy-beats]
//
// A client port is one of about 28,000 ephemeral ports per source address, so connections go out
// from 127.0.0.1 .. 127.0.0.<addresses> (all loopback on Linux). Heartbeats start at a random
// point of the interval, so they do not come in bursts.

import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { threadCpu, round } from "./lib/proc.mjs";
import { percentile } from "./lib/stats.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(
  join(here, "..", "worker-runtime", "package.json"),
);
const { WebSocket } = require("ws");

const { values: o } = parseArgs({
  options: {
    server: { type: "string" },
    "server-pid": { type: "string" },
    key: { type: "string" },
    connections: { type: "string", default: "2000" },
    steps: { type: "string" },
    concurrency: { type: "string", default: "200" },
    hold: { type: "string", default: "15" },
    addresses: { type: "string", default: "16" },
    out: { type: "string" },
    "busy-beats": { type: "boolean", default: false },
  },
});
for (const need of ["server", "server-pid", "key"]) {
  if (!o[need]) {
    process.stderr.write(`connections.mjs: --${need} is required\n`);
    process.exit(2);
  }
}
const whole = (name) => {
  const n = Number(o[name]);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(
      `connections.mjs: --${name} must be a whole number >= 1, got '${o[name]}'\n`,
    );
    process.exit(2);
  }
  return n;
};
const total = whole("connections");
const concurrency = whole("concurrency");
const holdMs = whole("hold") * 1000;
const addresses = Math.min(254, whole("addresses"));
const steps = (o.steps ?? `${total}`).split(",").map(Number);
if (steps.some((s) => !Number.isInteger(s) || s < 1 || s > total)) {
  process.stderr.write(
    `connections.mjs: --steps must be whole numbers from 1 to ${total}\n`,
  );
  process.exit(2);
}
const serverPid = Number(o["server-pid"]);
const socketUrl = o.server.replace(/^http/, "ws") + "/volunteer";
const say = (s) => process.stderr.write(`bench: ${s}\n`);

/** Resident memory of the server process, in MiB. */
function serverRssMiB() {
  const m = readFileSync(`/proc/${serverPid}/status`, "utf8").match(
    /VmRSS:\s+(\d+) kB/,
  );
  return m ? Number(m[1]) / 1024 : NaN;
}
/** Threads and open files of the server process. */
function serverThreadsAndFiles() {
  const m = readFileSync(`/proc/${serverPid}/status`, "utf8").match(
    /Threads:\s+(\d+)/,
  );
  return {
    threads: m ? Number(m[1]) : NaN,
    files: readdirSync(`/proc/${serverPid}/fd`).length,
  };
}
function serverCpuS() {
  return Object.values(threadCpu(serverPid)).reduce((a, b) => a + b, 0);
}
/** Live heap after a full collection (jcmd GC.run, then GC.heap_info), in MiB. */
async function heapMiB() {
  try {
    execFileSync("jcmd", [String(serverPid), "GC.run"], {
      stdio: "pipe",
      timeout: 60_000,
    });
    const info = execFileSync("jcmd", [String(serverPid), "GC.heap_info"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    let usedKiB = 0;
    for (const m of info.matchAll(/(?:Gen|space)\s+total \d+K, used (\d+)K/g))
      usedKiB += Number(m[1]);
    return usedKiB > 0 ? usedKiB / 1024 : NaN;
  } catch {
    return NaN;
  }
}
async function healthMs() {
  const t0 = performance.now();
  const r = await fetch(`${o.server}/health`, {
    signal: AbortSignal.timeout(10_000),
  });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`/health answered ${r.status}`);
  return performance.now() - t0;
}

const open = new Set();
let closedEarly = 0;
let refused = 0;
let heartbeats = 0;
let beatMs = 0; // the interval the welcome asked of an idle volunteer
const closeCodes = {};

/** One idle volunteer: hello, welcome, then a heartbeat every heartbeatMs. */
function connect(i) {
  return new Promise((resolve) => {
    const ws = new WebSocket(socketUrl, {
      localAddress: `127.0.0.${1 + (i % addresses)}`,
      perMessageDeflate: false,
      handshakeTimeout: 30_000, // a server out of sockets may never answer
    });
    let timer = null;
    let welcomed = false;
    ws.on("open", () =>
      ws.send(
        JSON.stringify({
          type: "hello",
          protocol: 1,
          key: o.key,
          agent: "surge-bench-connections",
          workers: 1,
          features: ["wasi_snapshot_preview1"],
        }),
      ),
    );
    ws.on("message", (data) => {
      if (welcomed) return;
      const m = JSON.parse(data.toString());
      if (m.type !== "welcome") return;
      welcomed = true;
      open.add(ws);
      let seq = 0;
      // As the runtime does (volunteer.js): holding no task, at the idle interval if the server
      // offers one; --busy-beats beats every heartbeatMs, as runtimes before it did.
      const every = (!o["busy-beats"] && m.idleHeartbeatMs) || m.heartbeatMs;
      beatMs = every;
      const beat = () => {
        if (ws.readyState !== WebSocket.OPEN) return;
        heartbeats++;
        ws.send(JSON.stringify({ type: "heartbeat", seq: seq++, running: 0 }));
      };
      setTimeout(() => {
        beat();
        timer = setInterval(beat, every);
        timer.unref?.();
      }, Math.random() * every).unref?.();
      resolve(true);
    });
    ws.on("close", (code) => {
      clearInterval(timer);
      closeCodes[code] = (closeCodes[code] ?? 0) + 1;
      if (open.delete(ws)) closedEarly++;
      if (!welcomed) {
        refused++;
        resolve(false);
      }
    });
    ws.on("error", () => {});
  });
}

async function openUpTo(n) {
  const t0 = performance.now();
  const start = open.size;
  let inflight = 0;
  let next = open.size + closedEarly + refused;
  async function lane() {
    while (open.size + inflight < n) {
      inflight++;
      const ok = await connect(next++);
      inflight--;
      // Refused past a tenth of the step: what the server holds is this step's figure.
      if (!ok && refused > Math.max(50, n / 10)) return;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  const s = (performance.now() - t0) / 1000;
  return { opened: open.size - start, seconds: s };
}

const before = { rssMiB: serverRssMiB(), heapMiB: await heapMiB() };
say(
  `server ${o.server} pid ${serverPid}: ${round(before.rssMiB)} MiB resident, heap ${round(before.heapMiB)} MiB, before any connection`,
);
// What the server spends with no connection at all, over the same hold: the floor under every
// step's CPU figure.
{
  const cpu0 = serverCpuS();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, holdMs));
  before.serverCores = round(
    (serverCpuS() - cpu0) / ((performance.now() - t0) / 1000),
    2,
  );
  before.loadAverage = round(loadavg()[0], 2);
  say(
    `server idle, no connection: ${before.serverCores} cores (load ${before.loadAverage})`,
  );
}
const results = [];
for (const step of steps) {
  const openCpu0 = serverCpuS();
  const clientCpu0 = process.cpuUsage();
  const opened = await openUpTo(step);
  const rate = opened.opened / opened.seconds;
  // CPU per handshake, server and this client: which side paced the opening.
  const perHandshake = (s) => round((s * 1000) / Math.max(1, opened.opened), 2);
  const serverHandshakeMs = perHandshake(serverCpuS() - openCpu0);
  const used = process.cpuUsage(clientCpu0);
  const clientHandshakeMs = perHandshake((used.user + used.system) / 1e6);
  const cpu0 = serverCpuS();
  const hb0 = heartbeats;
  const lat = [];
  let healthFailed = 0; // no answer or not 200: a server out of sockets cannot accept it
  const t0 = performance.now();
  while (performance.now() - t0 < holdMs) {
    try {
      lat.push(await healthMs());
    } catch {
      healthFailed++;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const held = (performance.now() - t0) / 1000;
  const cpu = (serverCpuS() - cpu0) / held;
  const r = {
    connections: open.size,
    handshakesPerS: round(rate),
    serverCpuMsPerHandshake: serverHandshakeMs,
    clientCpuMsPerHandshake: clientHandshakeMs,
    rssMiB: round(serverRssMiB()),
    heapMiB: round(await heapMiB()),
    serverCores: round(cpu, 2),
    heartbeatsPerS: round((heartbeats - hb0) / held),
    heartbeatMs: beatMs,
    healthMs: {
      p50: round(percentile(lat, 50), 1),
      p99: round(percentile(lat, 99), 1),
      max: round(Math.max(...lat), 1),
      failed: healthFailed,
    },
    ...serverThreadsAndFiles(),
    loadAverage: round(loadavg()[0], 2),
    closedEarly,
    refused,
  };
  r.rssKiBPerConnection = round(
    ((r.rssMiB - before.rssMiB) * 1024) / r.connections,
    1,
  );
  r.heapKiBPerConnection = round(
    ((r.heapMiB - before.heapMiB) * 1024) / r.connections,
    1,
  );
  results.push(r);
  say(
    `${r.connections} connections (opened at ${r.handshakesPerS}/s): server ${r.rssMiB} MiB resident ` +
      `(${r.rssKiBPerConnection} KiB each), heap ${r.heapMiB} MiB (${r.heapKiBPerConnection} KiB each), ` +
      `${r.serverCores} cores for ${r.heartbeatsPerS} heartbeats/s, /health p50 ${r.healthMs.p50} ms p99 ${r.healthMs.p99} ms (${healthFailed} failed); ` +
      `${r.threads} threads, ${r.files} open files, load ${r.loadAverage}; closed early ${closedEarly}, refused ${refused}`,
  );
  if (open.size < step) break;
}
// Where the heap of the last step goes: the largest classes, live objects only.
let histogram = [];
try {
  const text = execFileSync("jcmd", [String(serverPid), "GC.class_histogram"], {
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 64 << 20,
  });
  for (const m of text.matchAll(/^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)/gm)) {
    histogram.push({
      class: m[3],
      instances: Number(m[1]),
      bytes: Number(m[2]),
    });
    if (histogram.length === 25) break;
  }
} catch {
  histogram = [];
}
for (const ws of open) ws.terminate();
const out = {
  benchmark: "connections",
  finishedAt: new Date().toISOString(),
  before,
  steps: results,
  closeCodes,
  histogram,
};
if (o.out) writeFileSync(o.out, JSON.stringify(out, null, 2));
console.log(JSON.stringify(out, null, 2));
process.exit(0);
