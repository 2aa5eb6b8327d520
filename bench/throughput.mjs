#!/usr/bin/env node
// Measurement half of bench/throughput.sh (which starts and stops the processes).
//
//   node bench/throughput.mjs baseline --runtime DIR --kernel F --tasks N --runs R --workers W --out F
//   node bench/throughput.mjs measure  --server URL --server-pid P --volunteer-pids P,P --kernel F
//        [--tasks N] [--runs R] [--warmup-tasks N] [--latency-jobs N] [--latency-tasks N]
//        [--baseline F] [--config F] [--cold] --out F
//
// `measure` expects a running server with its volunteers connecting; it prints a table and writes
// every figure, with the per-run samples, as JSON to --out.

import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { Api, waitForEnd, millisBetween } from "./lib/api.mjs";
import {
  processCpu,
  treeCpu,
  threadCpu,
  machineCpu,
  loadAverage,
  diffGroups,
  round,
} from "./lib/proc.mjs";
import { summary, percentile } from "./lib/stats.mjs";
import { runBaseline } from "./lib/baseline.mjs";

/** wasimoff's best published throughput for browser volunteers, tasks per second. */
const WASIMOFF_TASKS_PER_SEC = 1452;

const say = (line) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { positionals, values: o } = parseArgs({
  allowPositionals: true,
  options: {
    runtime: { type: "string" },
    kernel: { type: "string" },
    tasks: { type: "string", default: "20000" },
    runs: { type: "string", default: "3" },
    workers: { type: "string", default: "2" },
    server: { type: "string" },
    "server-pid": { type: "string" },
    "volunteer-pids": { type: "string", default: "" },
    "db-pid": { type: "string" },
    "warmup-tasks": { type: "string", default: "20000" },
    "warmup-max-jobs": { type: "string", default: "12" },
    "latency-jobs": { type: "string", default: "200" },
    "latency-tasks": { type: "string", default: "1" },
    "poll-ms": { type: "string", default: "2" },
    baseline: { type: "string" },
    cold: { type: "boolean", default: false },
    "boot-ms": { type: "string" },
    jfr: { type: "string" },
    config: { type: "string" },
    out: { type: "string" },
  },
});
const int = (name) => {
  const v = Number(o[name]);
  if (!Number.isInteger(v) || v < 0)
    throw new Error(`--${name} must be a whole number, got '${o[name]}'`);
  return v;
};

async function baselineCommand() {
  const result = await runBaseline({
    runtime: o.runtime,
    kernel: o.kernel,
    tasks: int("tasks"),
    runs: int("runs"),
    workers: int("workers"),
  });
  writeFileSync(o.out, JSON.stringify(result, null, 2));
}

// ---- measure ----

function cpuSnapshot(serverPid, volunteerPids, dbPid) {
  return {
    at: performance.now(),
    db: dbPid ? treeCpu(dbPid) : 0,
    server: processCpu(serverPid),
    serverThreads: threadCpu(serverPid),
    volunteers: volunteerPids.map(processCpu),
    volunteerThreads: volunteerPids.map(threadCpu),
    self: process.cpuUsage(),
    machine: machineCpu(),
  };
}

/** CPU seconds each party used between two snapshots, and the machine's idle share. */
function cpuBetween(a, b, cores) {
  const wall = (b.at - a.at) / 1000;
  const server = b.server - a.server;
  const perVolunteer = b.volunteers.map((v, i) => v - a.volunteers[i]);
  const volunteers = perVolunteer.reduce((x, y) => x + y, 0);
  const s = process.cpuUsage(a.self);
  const client = (s.user + s.system) / 1e6;
  const busy = b.machine.busy - a.machine.busy;
  const idle = b.machine.idle - a.machine.idle;
  const db = b.db - a.db;
  return {
    wallSeconds: wall,
    serverSeconds: server,
    // A separate database server (PostgreSQL); H2 runs inside the server process.
    dbSeconds: db,
    volunteerSeconds: volunteers,
    perVolunteerSeconds: perVolunteer,
    clientSeconds: client,
    // Everything else on the machine: other engineers' builds and tests, the kernel, ...
    otherSeconds: Math.max(0, busy - server - db - volunteers - client),
    idleSeconds: idle,
    idlePct: (idle / (busy + idle)) * 100,
    capacitySeconds: wall * cores,
    serverThreads: diffGroups(b.serverThreads, a.serverThreads),
    volunteerThreads: b.volunteerThreads.map((t, i) => diffGroups(t, a.volunteerThreads[i])),
  };
}

async function waitForVolunteers(api, expected, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  while (Date.now() < deadline) {
    try {
      seen = (await api.health()).volunteers ?? -1;
      if (seen >= expected) return seen;
    } catch {
      // Not answering yet.
    }
    await sleep(200);
  }
  throw new Error(`only ${seen} of ${expected} volunteers connected within ${timeoutMs / 1000} s`);
}

async function runJob(api, spec, pollMs, timeoutMs, onPoll) {
  const t0 = Date.now();
  const submitted = await api.submit(spec);
  const submitMs = Date.now() - t0;
  const end = await waitForEnd(api, submitted.id, { pollMs, timeoutMs, onPoll });
  const s = end.status;
  if (s.state !== "SUCCEEDED")
    throw new Error(`job ${s.id} ended ${s.state}: ${JSON.stringify(s.error)}`);
  return { status: s, t0, submitMs, endSeenAt: end.endSeenAt, mergingSeenAt: end.mergingSeenAt };
}

async function throughputRun(api, spec, pids, cores) {
  const before = cpuSnapshot(pids.server, pids.volunteers, pids.db);
  const load = loadAverage();
  // The journal's backlog (results accepted but not yet committed), sampled every ~0.5 s.
  let journalMax = 0;
  let lastSample = 0;
  const journal = [];
  const onPoll = async (s, now) => {
    if (now - lastSample < 500) return;
    lastSample = now;
    const pending = (await api.metrics()).surge_journal_pending ?? NaN;
    journal.push([now, s.tasks.done, pending]);
    if (pending > journalMax) journalMax = pending;
  };
  const job = await runJob(api, spec, 100, 30 * 60_000, onPoll);
  const after = cpuSnapshot(pids.server, pids.volunteers, pids.db);
  const s = job.status;
  const tasks = s.tasks.total;
  const serverMs = millisBetween(s.createdAt, s.finishedAt);
  const wallMs = job.endSeenAt - job.t0;
  const cpu = cpuBetween(before, after, cores);
  const perTask = (seconds) => (seconds / tasks) * 1e6;
  return {
    job: s.id,
    tasks,
    createdAt: s.createdAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    serverMs,
    wallMs,
    tasksPerSecServer: tasks / (serverMs / 1000),
    tasksPerSecWall: tasks / (wallMs / 1000),
    // Client clock, polls every 100 ms: submit -> every result accepted by the dispatcher
    // (state MERGING), and from there -> SUCCEEDED (the journal catching up, then the merge).
    // MERGING unseen: it lasted less than one poll, so count the job's end instead.
    mergingSeen: job.mergingSeenAt !== null,
    dispatchMs: (job.mergingSeenAt ?? job.endSeenAt) - job.t0,
    tasksPerSecDispatch: tasks / (((job.mergingSeenAt ?? job.endSeenAt) - job.t0) / 1000),
    tailMs: job.mergingSeenAt ? job.endSeenAt - job.mergingSeenAt : 0,
    journalPendingMax: journalMax,
    // [client epoch ms, tasks done (dispatcher), journal events pending]
    journalSamples: journal,
    loadBefore: load,
    cpu,
    microsPerTask: {
      server: perTask(cpu.serverSeconds),
      db: perTask(cpu.dbSeconds),
      volunteers: perTask(cpu.volunteerSeconds),
      serverPlusVolunteers: perTask(cpu.serverSeconds + cpu.dbSeconds + cpu.volunteerSeconds),
      other: perTask(cpu.otherSeconds),
    },
  };
}

async function latencyRuns(api, kernel, jobs, tasks, pollMs) {
  const samples = [];
  const stuck = [];
  for (let i = 0; i < jobs; i++) {
    const spec = { name: "bench-latency", kernel, tasks, merge: { kind: "concat" } };
    let job;
    try {
      job = await runJob(api, spec, pollMs, 10_000);
    } catch (e) {
      // A job that never ends is a finding, not a reason to lose the run's other figures.
      stuck.push(e.message);
      say(`latency job ${i + 1}: ${e.message}`);
      continue;
    }
    const s = job.status;
    samples.push({
      job: s.id,
      startMs: millisBetween(s.createdAt, s.startedAt),
      finishMs: millisBetween(s.createdAt, s.finishedAt),
      clientMs: job.endSeenAt - job.t0,
      submitMs: job.submitMs,
    });
  }
  const dist = (key) => {
    const v = samples.map((x) => x[key]);
    return {
      p50: percentile(v, 50),
      p99: percentile(v, 99),
      max: Math.max(...v),
      min: Math.min(...v),
    };
  };
  return {
    jobs,
    tasksPerJob: tasks,
    pollMs,
    serverSubmitToStartMs: dist("startMs"),
    serverSubmitToSucceededMs: dist("finishMs"),
    clientSubmitToSucceededMs: dist("clientMs"),
    clientSubmitResponseMs: dist("submitMs"),
    stuckJobs: stuck,
    samples,
  };
}

/** JIT compiler threads' share of the server's CPU in one run. */
const jitShare = (run) => {
  const t = run.cpu.serverThreads;
  const jit = Object.entries(t)
    .filter(([k]) => /Compiler/.test(k))
    .reduce((a, [, v]) => a + v, 0);
  return jit / Math.max(1e-9, run.cpu.serverSeconds);
};

/**
 * Warm-up jobs until the JIT has settled: on two shared cores C2 keeps compiling for minutes, and
 * its CPU would be billed to the first measured runs. Stops once the compiler threads take less
 * than 10% of the server's CPU in a warm-up job, after at least two, at most --warmup-max-jobs.
 */
async function warmUp(api, spec, pids, cores, kernel) {
  const tasks = int("warmup-tasks");
  const maxJobs = int("warmup-max-jobs");
  const history = [];
  for (let j = 1; tasks > 0 && j <= maxJobs; j++) {
    const run = await throughputRun(api, spec(tasks, `bench-warmup-${j}`), pids, cores);
    const share = jitShare(run);
    history.push({ tasks, tasksPerSecServer: run.tasksPerSecServer, jitShareOfServerCpu: share });
    say(
      `warm-up ${j}: ${round(run.tasksPerSecServer, 0)} tasks/s, JIT ${round(share * 100, 0)}% of server CPU`,
    );
    if (j >= 2 && share < 0.1) break;
  }
  // The small-job path (REST submit, merge of one output) has its own code to compile.
  await latencyRuns(api, kernel, 20, int("latency-tasks"), int("poll-ms"));
  return history;
}

async function measureCommand() {
  const config = o.config ? JSON.parse(readFileSync(o.config, "utf8")) : {};
  const cores = config.machine?.cores ?? 2;
  const api = new Api(o.server);
  const pids = {
    server: Number(o["server-pid"]),
    volunteers: o["volunteer-pids"].split(",").filter(Boolean).map(Number),
    db: o["db-pid"] ? Number(o["db-pid"]) : null,
  };
  const tasks = int("tasks");
  const runs = int("runs");

  const connected = await waitForVolunteers(api, pids.volunteers.length);
  say(`${connected} volunteers connected`);
  const kernel = (await api.uploadKernel(readFileSync(o.kernel))).sha256;
  const spec = (n, name) => ({ name, kernel, tasks: n, merge: { kind: "concat" } });

  // --cold: the measured jobs are the first work the server does after boot.
  const warmupHistory = o.cold ? [] : await warmUp(api, spec, pids, cores, kernel);

  // A flight recording of the measured runs only (not boot, not warm-up), for where the time goes.
  const jcmd = (...args) =>
    execFileSync("jcmd", [String(pids.server), ...args], { stdio: "ignore" });
  if (o.jfr) jcmd("JFR.start", "name=bench", "settings=profile", `filename=${o.jfr}`);
  const throughput = [];
  for (let r = 1; r <= runs; r++) {
    const run = await throughputRun(api, spec(tasks, `bench-throughput-${r}`), pids, cores);
    throughput.push(run);
    say(
      `run ${r}/${runs}: ${round(run.tasksPerSecServer, 0)} tasks/s (server clock), ` +
        `${round(run.tasksPerSecWall, 0)} (wall), ${round(run.tasksPerSecDispatch, 0)} accepted; ` +
        `journal backlog max ${run.journalPendingMax}; CPU µs/task server ${round(run.microsPerTask.server, 0)}, ` +
        `volunteers ${round(run.microsPerTask.volunteers, 0)}; idle ${round(run.cpu.idlePct, 0)}%, load ${run.loadBefore}`,
    );
  }

  if (o.jfr) {
    jcmd("JFR.stop", "name=bench");
    say(`flight recording: ${o.jfr}`);
  }

  const latencyJobs = int("latency-jobs");
  let latency = null;
  if (latencyJobs > 0) {
    say(`latency: ${latencyJobs} jobs of ${int("latency-tasks")} tasks, one after another`);
    latency = await latencyRuns(api, kernel, latencyJobs, int("latency-tasks"), int("poll-ms"));
  }

  const baseline = o.baseline ? JSON.parse(readFileSync(o.baseline, "utf8")) : null;
  const pick = (f) => summary(throughput.map(f));
  const figures = {
    tasksPerSecServer: pick((r) => r.tasksPerSecServer),
    tasksPerSecWall: pick((r) => r.tasksPerSecWall),
    tasksPerSecDispatch: pick((r) => r.tasksPerSecDispatch),
    tailMs: pick((r) => r.tailMs),
    journalPendingMax: pick((r) => r.journalPendingMax),
    serverMicrosPerTask: pick((r) => r.microsPerTask.server),
    dbMicrosPerTask: pick((r) => r.microsPerTask.db),
    volunteerMicrosPerTask: pick((r) => r.microsPerTask.volunteers),
    otherMicrosPerTask: pick((r) => r.microsPerTask.other),
    serverCores: pick((r) => r.cpu.serverSeconds / r.cpu.wallSeconds),
    volunteerCores: pick((r) => r.cpu.volunteerSeconds / r.cpu.wallSeconds),
    otherCores: pick((r) => r.cpu.otherSeconds / r.cpu.wallSeconds),
    idlePct: pick((r) => r.cpu.idlePct),
    jitSharePct: pick((r) => jitShare(r) * 100),
  };
  const rate = figures.tasksPerSecServer.median;
  const ratios = { vsWasimoff1452: rate / WASIMOFF_TASKS_PER_SEC };
  if (baseline) {
    ratios.vsLocalInline = rate / baseline.inline.tasksPerSec.median;
    ratios.vsLocalPool1 = rate / baseline.pool1.tasksPerSec.median;
    const parallel = Object.keys(baseline).find((k) => k.startsWith("pool") && k !== "pool1");
    if (parallel)
      ratios[`vsLocal${parallel[0].toUpperCase()}${parallel.slice(1)}`] =
        rate / baseline[parallel].tasksPerSec.median;
    ratios.cpuPerTaskVsLocalInline =
      (figures.serverMicrosPerTask.median +
        figures.dbMicrosPerTask.median +
        figures.volunteerMicrosPerTask.median) /
      baseline.inline.cpuMicrosPerTask.median;
  }
  const result = {
    benchmark: "throughput",
    finishedAt: new Date().toISOString(),
    config,
    figures,
    ratios,
    wasimoffTasksPerSec: WASIMOFF_TASKS_PER_SEC,
    // Server start to the first 200 from /health (polled every 0.2 s), as seen by throughput.sh.
    bootMs: o["boot-ms"] ? Number(o["boot-ms"]) : null,
    baseline,
    warmup: warmupHistory,
    latency,
    throughput,
  };
  writeFileSync(o.out, JSON.stringify(result, null, 2));
  printTable(result);
}

function printTable(r) {
  const f = r.figures;
  const c = r.config;
  const n = (x, d = 0) => (Number.isFinite(x) ? round(x, d).toLocaleString("en-US") : "-");
  const row = (label, s, d = 0, unit = "") =>
    `  ${label.padEnd(46)} ${n(s.median, d).padStart(9)}${unit}   [${n(s.min, d)} .. ${n(s.max, d)}]`;
  const lines = [];
  lines.push(
    `Surge throughput: noop.wasm, ${c.volunteers ?? "?"} volunteers x ${c.workers ?? "?"} workers, ` +
      `db ${c.db ?? "?"}, SURGE_TASKS_PER_WORKER=${c.tasksPerWorker ?? "default"}, ` +
      `${r.throughput.length} runs x ${r.throughput[0]?.tasks} tasks`,
  );
  lines.push(`  ${"".padEnd(46)} ${"median".padStart(9)}   [min .. max]`);
  lines.push(row("tasks/s (createdAt -> finishedAt)", f.tasksPerSecServer));
  lines.push(row("tasks/s (client wall clock)", f.tasksPerSecWall));
  lines.push(row("tasks/s accepted by dispatcher (client)", f.tasksPerSecDispatch));
  lines.push(row("all accepted -> SUCCEEDED ms (journal+merge)", f.tailMs));
  lines.push(row("journal backlog, max events pending", f.journalPendingMax));
  lines.push(row("server CPU µs/task", f.serverMicrosPerTask));
  if (c.db === "postgres")
    lines.push(row("PostgreSQL CPU µs/task (all its processes)", f.dbMicrosPerTask));
  lines.push(row("volunteer CPU µs/task (all processes)", f.volunteerMicrosPerTask));
  lines.push(row("other processes' CPU µs/task", f.otherMicrosPerTask));
  lines.push(row("cores used: server", f.serverCores, 2));
  lines.push(row("cores used: volunteers", f.volunteerCores, 2));
  lines.push(row("cores used: other processes", f.otherCores, 2));
  lines.push(row("machine idle %", f.idlePct, 1));
  lines.push(row("JIT compiler share of server CPU %", f.jitSharePct, 1));
  if (r.baseline) {
    for (const [k, v] of Object.entries(r.baseline)) {
      lines.push(row(`local baseline ${k} tasks/s`, v.tasksPerSec));
      lines.push(row(`local baseline ${k} CPU µs/task`, v.cpuMicrosPerTask));
    }
  }
  for (const [k, v] of Object.entries(r.ratios))
    lines.push(`  ratio ${k.padEnd(40)} ${n(v, 3).padStart(9)}`);
  if (r.latency) {
    const l = r.latency;
    const p = (d) => `p50 ${n(d.p50, 1)}  p99 ${n(d.p99, 1)}  max ${n(d.max, 1)} ms`;
    lines.push(`  latency, ${l.jobs} jobs of ${l.tasksPerJob} task(s), one after another:`);
    lines.push(`    submit -> first task started (server)  ${p(l.serverSubmitToStartMs)}`);
    lines.push(`    submit -> SUCCEEDED (server)           ${p(l.serverSubmitToSucceededMs)}`);
    lines.push(`    submit -> SUCCEEDED seen (client)      ${p(l.clientSubmitToSucceededMs)}`);
    if (l.stuckJobs.length) lines.push(`    ${l.stuckJobs.length} job(s) did not end within 10 s`);
  }
  const last = r.throughput.at(-1)?.cpu;
  if (last) {
    const top = (t) =>
      Object.entries(t)
        .slice(0, 6)
        .map(([k, v]) => `${k} ${v}s`)
        .join(", ");
    lines.push(`  server CPU s by thread (last run): ${top(last.serverThreads)}`);
    last.volunteerThreads.forEach((t, i) =>
      lines.push(`  volunteer ${i + 1} CPU s by thread (last run): ${top(t)}`),
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

const command = positionals[0];
const run = { baseline: baselineCommand, measure: measureCommand }[command];
if (!run) {
  say("usage: throughput.mjs baseline|measure [options] (see the header of this file)");
  process.exit(2);
}
run().then(
  () => process.exit(0),
  (e) => {
    say(`failed: ${e.stack ?? e}`);
    process.exit(1);
  },
);
