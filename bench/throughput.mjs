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
import { Api } from "./lib/api.mjs";
import { round } from "./lib/proc.mjs";
import { summary } from "./lib/stats.mjs";
import { runBaseline } from "./lib/baseline.mjs";
import { waitForVolunteers, throughputRun, latencyRuns, jitShare, warmUp } from "./lib/runs.mjs";

/** wasimoff's best published throughput for browser volunteers, tasks per second. */
const WASIMOFF_TASKS_PER_SEC = 1452;

const say = (line) => process.stderr.write(`bench: ${line}\n`);

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

async function measureCommand() {
  const config = o.config ? JSON.parse(readFileSync(o.config, "utf8")) : {};
  const cores = config.machine?.cores ?? 2;
  const api = new Api(o.server);
  const pids = {
    servers: [Number(o["server-pid"])],
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
  const warmupHistory = o.cold
    ? []
    : await warmUp(api, spec, pids, cores, kernel, {
        tasks: int("warmup-tasks"),
        maxJobs: int("warmup-max-jobs"),
        latencyTasks: int("latency-tasks"),
        pollMs: int("poll-ms"),
      });

  // A flight recording of the measured runs only (not boot, not warm-up), for where the time goes.
  const jcmd = (...args) =>
    execFileSync("jcmd", [String(pids.servers[0]), ...args], { stdio: "ignore" });
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
