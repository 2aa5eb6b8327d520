#!/usr/bin/env node
// Measurement half of `bench/throughput.sh --setups`: the same workload on several running setups
// (the single H2 server, N clustered instances on PostgreSQL behind nginx), warmed up one after
// another, then the measured jobs interleaved (run r starts at setup r mod S), so the machine's
// noise falls on every setup alike.
//
//   node bench/throughput-setups.mjs --setups F --kernel F [--tasks N] [--runs R]
//        [--warmup-tasks N] [--warmup-max-jobs N] [--latency-tasks N] [--config F] --out F
//
// --setups names a JSON array written by throughput.sh, one object per setup:
//   { name, url, healthUrls: [...], serverPids: [...], volunteerPids: [...], dbPid, nginxPid,
//     pg: { socket, port } | null }
// For a setup on PostgreSQL the statements come from pg_stat_statements (the cluster's
// PostgreSQL runs with it loaded); claims are the rows its claim statement returned.

import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { Api } from "./lib/api.mjs";
import { loadavg } from "node:os";
import { round } from "./lib/proc.mjs";
import { summary } from "./lib/stats.mjs";
import { waitForVolunteers, throughputRun, warmUp } from "./lib/runs.mjs";

const say = (line) => process.stderr.write(`bench: ${line}\n`);

const { values: o } = parseArgs({
  options: {
    setups: { type: "string" },
    kernel: { type: "string" },
    tasks: { type: "string", default: "20000" },
    runs: { type: "string", default: "3" },
    "warmup-tasks": { type: "string", default: "20000" },
    "warmup-max-jobs": { type: "string", default: "12" },
    "latency-tasks": { type: "string", default: "1" },
    "poll-ms": { type: "string", default: "2" },
    // A clustered instance answers a job's status by counting its claim rows in PostgreSQL (about
    // 30 ms for 20,000 tasks): polled every 100 ms, as for one server, that was the largest part of
    // PostgreSQL's time per task. Every setup is polled alike.
    "status-poll-ms": { type: "string", default: "1000" },
    config: { type: "string" },
    out: { type: "string" },
    // Prints the table of a results file again (after a change to the table, say).
    print: { type: "string" },
  },
});
const int = (name) => {
  const v = Number(o[name]);
  if (!Number.isInteger(v) || v < 0)
    throw new Error(`--${name} must be a whole number, got '${o[name]}'`);
  return v;
};

// ---- PostgreSQL's own counts ----

// The claim statement: an update of task_claims that skips rows locked by another claimer.
const CLAIM = `query ~* 'update\\s+task_claims' and query ~* 'skip\\s+locked'`;
const TX_ANY = `query ~* '^\\s*(begin|start transaction|commit|rollback)'`;
// Everything the instances sent to database surge, not this script's own queries. A JDBC batch
// is one round trip but counts one call per statement executed; transactions come from
// pg_stat_database (which counts autocommitted statements too; this query is one of them).
const STATS_SQL = `
  select coalesce(sum(calls) filter (where not (${TX_ANY})), 0),
         (select xact_commit + xact_rollback from pg_stat_database where datname = 'surge'),
         coalesce(sum(calls) filter (where ${CLAIM}), 0),
         coalesce(sum(rows) filter (where ${CLAIM}), 0),
         coalesce(sum(total_exec_time) filter (where ${CLAIM}), 0),
         coalesce(sum(total_exec_time), 0)
  from pg_stat_statements
  where dbid = (select oid from pg_database where datname = 'surge')
    and query !~* 'pg_stat_statements|pg_database'`;

const psql = (pg, sql) =>
  execFileSync(
    "psql",
    ["-X", "-h", pg.socket, "-p", String(pg.port), "-U", "surge", "-d", "surge", "-Atq"].concat([
      "-F",
      "\x1f",
      "-c",
      sql,
    ]),
    { encoding: "utf8" },
  );

function pgStats(pg) {
  if (!pg) return null;
  const [statements, transactions, claimStatements, claimedRows, claimExecMs, execMs] = psql(
    pg,
    STATS_SQL,
  )
    .trim()
    .split("\x1f")
    .map(Number);
  return { statements, transactions, claimStatements, claimedRows, claimExecMs, execMs };
}

// Where the statements go: every statement's calls, rows and time so far, by its text.
const BY_QUERY_SQL = `
  select calls, rows, total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 100)
  from pg_stat_statements
  where dbid = (select oid from pg_database where datname = 'surge')
    and query !~* 'pg_stat_statements|pg_database'`;

function pgByQuery(pg) {
  if (!pg) return null;
  const out = new Map();
  for (const line of psql(pg, BY_QUERY_SQL).split("\n").filter(Boolean)) {
    const [calls, rows, ms, query] = line.split("\x1f");
    const q = out.get(query) ?? { calls: 0, rows: 0, ms: 0 };
    out.set(query, {
      calls: q.calls + Number(calls),
      rows: q.rows + Number(rows),
      ms: q.ms + Number(ms),
    });
  }
  return out;
}

/** after - before by statement, added into `sum` (a Map from statement text). */
function addByQuery(sum, before, after) {
  for (const [query, a] of after) {
    const b = before.get(query) ?? { calls: 0, rows: 0, ms: 0 };
    if (a.calls === b.calls) continue;
    const t = sum.get(query) ?? { calls: 0, rows: 0, ms: 0 };
    sum.set(query, {
      calls: t.calls + a.calls - b.calls,
      rows: t.rows + a.rows - b.rows,
      ms: t.ms + a.ms - b.ms,
    });
  }
}

const pgDelta = (a, b) =>
  a && b ? Object.fromEntries(Object.keys(a).map((k) => [k, b[k] - a[k]])) : null;

// ---- one setup ----

async function prepare(setup, kernelBytes) {
  const api = new Api(setup.url);
  const health = setup.healthUrls.map((u) => new Api(u));
  const connected = await waitForVolunteers(health, setup.volunteerPids.length);
  const kernel = (await api.uploadKernel(kernelBytes)).sha256;
  const pids = {
    servers: setup.serverPids,
    volunteers: setup.volunteerPids,
    db: setup.dbPid ?? null,
    nginx: setup.nginxPid ?? null,
  };
  say(`${setup.name}: ${connected} volunteers connected, ${setup.serverPids.length} instance(s)`);
  return { ...setup, api, kernel, pids };
}

async function measured(s, tasks, r, cores) {
  const spec = { name: `bench-${s.name}-${r}`, kernel: s.kernel, tasks, merge: { kind: "concat" } };
  const pgBefore = pgStats(s.pg);
  const byQueryBefore = pgByQuery(s.pg);
  const run = await throughputRun(s.api, spec, s.pids, cores, int("status-poll-ms"));
  // Backends publish their transaction counts at most once a second (PostgreSQL 15).
  if (s.pg) await new Promise((r) => setTimeout(r, 1200));
  const pg = pgDelta(pgBefore, pgStats(s.pg));
  if (s.pg) addByQuery(s.byQuery, byQueryBefore, pgByQuery(s.pg));
  const wall = run.cpu.wallSeconds;
  run.postgres = pg && {
    ...pg,
    statementsPerTask: pg.statements / run.tasks,
    transactionsPerTask: (pg.transactions - 1) / run.tasks,
    claimsPerSec: pg.claimedRows / wall,
    claimStatementsPerSec: pg.claimStatements / wall,
    tasksPerClaimStatement: pg.claimedRows / Math.max(1, pg.claimStatements),
    claimExecMsPerSec: pg.claimExecMs / wall,
    execMicrosPerTask: (pg.execMs * 1000) / run.tasks,
  };
  say(
    `${s.name} run ${r}: ${round(run.tasksPerSecServer, 0)} tasks/s, server CPU ` +
      `${round(run.microsPerTask.server, 0)} µs/task` +
      (pg
        ? `, ${round(run.postgres.statementsPerTask, 3)} statements/task, ` +
          `${round(run.postgres.claimsPerSec, 0)} claims/s in ${round(run.postgres.claimStatementsPerSec, 1)} statements/s`
        : "") +
      `; load ${run.loadBefore}`,
  );
  return run;
}

function figuresOf(runs) {
  const pick = (f) => summary(runs.map(f));
  const pg = runs.every((r) => r.postgres) ? (f) => pick((r) => f(r.postgres)) : () => null;
  const perK = (sec, r) => (sec / r.tasks) * 1000;
  return {
    tasksPerSecServer: pick((r) => r.tasksPerSecServer),
    tasksPerSecWall: pick((r) => r.tasksPerSecWall),
    serverCpuSecPer1kTasks: pick((r) => perK(r.cpu.serverSeconds, r)),
    dbCpuSecPer1kTasks: pick((r) => perK(r.cpu.dbSeconds, r)),
    nginxCpuSecPer1kTasks: pick((r) => perK(r.cpu.nginxSeconds, r)),
    volunteerCpuSecPer1kTasks: pick((r) => perK(r.cpu.volunteerSeconds, r)),
    allCpuSecPer1kTasks: pick((r) =>
      perK(r.cpu.serverSeconds + r.cpu.dbSeconds + r.cpu.nginxSeconds + r.cpu.volunteerSeconds, r),
    ),
    statementsPerTask: pg((p) => p.statementsPerTask),
    transactionsPerTask: pg((p) => p.transactionsPerTask),
    claimsPerSec: pg((p) => p.claimsPerSec),
    claimStatementsPerSec: pg((p) => p.claimStatementsPerSec),
    tasksPerClaimStatement: pg((p) => p.tasksPerClaimStatement),
    claimExecMsPerSec: pg((p) => p.claimExecMsPerSec),
    pgExecMicrosPerTask: pg((p) => p.execMicrosPerTask),
    idlePct: pick((r) => r.cpu.idlePct),
    load1: pick((r) => r.loadBefore),
  };
}

function topStatements(byQuery, tasks) {
  return [...byQuery]
    .sort((a, b) => b[1].calls - a[1].calls)
    .slice(0, 15)
    .map(([query, q]) => ({
      query,
      callsPerTask: q.calls / tasks,
      rowsPerTask: q.rows / tasks,
      execMicrosPerTask: (q.ms * 1000) / tasks,
    }));
}

// ---- the table ----

function printTable(result) {
  const { setups, config: c } = result;
  const n = (x, d) => (Number.isFinite(x) ? round(x, d).toLocaleString("en-US") : "-");
  const cell = (s, d) => (s ? `${n(s.median, d)} [${n(s.min, d)}..${n(s.max, d)}]` : "-");
  const W = 27;
  const lines = [];
  const line = (label, cells) =>
    lines.push(`  ${label.padEnd(44)}${cells.map((x) => x.padEnd(W)).join("")}`.trimEnd());
  const first = setups[0];
  lines.push(
    `Surge throughput by setup: noop.wasm, ${c.volunteers} volunteers x ${c.workers} workers each, ` +
      `${result.runs} interleaved runs x ${result.tasks} tasks, status polled every ` +
      `${result.statusPollMs ?? 100} ms; load ${result.loadAtStart.join(" ")} ` +
      `at start, ${result.loadAtEnd.join(" ")} at end (1, 5, 15 min)`,
  );
  line(
    "median [min..max]",
    setups.map((s) => `${s.name} (${s.instances} inst., ${s.db})`),
  );
  const row = (label, key, d, ratio = false) => {
    line(
      label,
      setups.map((s) => cell(s.figures[key], d)),
    );
    if (ratio && first.figures[key])
      line(
        `  ratio to ${first.name} (medians)`,
        setups.map((s) => n(s.figures[key].median / first.figures[key].median, 2)),
      );
  };
  row("tasks/s (createdAt -> finishedAt)", "tasksPerSecServer", 0, true);
  row("tasks/s (client wall clock)", "tasksPerSecWall", 0);
  row("server CPU s / 1,000 tasks (all instances)", "serverCpuSecPer1kTasks", 3, true);
  row("PostgreSQL CPU s / 1,000 tasks", "dbCpuSecPer1kTasks", 3);
  row("nginx CPU s / 1,000 tasks", "nginxCpuSecPer1kTasks", 3);
  row("volunteer CPU s / 1,000 tasks", "volunteerCpuSecPer1kTasks", 3);
  row("all of the above, CPU s / 1,000 tasks", "allCpuSecPer1kTasks", 3, true);
  row("PostgreSQL statements executed / task", "statementsPerTask", 3);
  row("PostgreSQL transactions / task", "transactionsPerTask", 3);
  row("claims / s (task_claims rows claimed)", "claimsPerSec", 0);
  row("claim statements / s", "claimStatementsPerSec", 1);
  row("tasks per claim statement", "tasksPerClaimStatement", 1);
  row("PostgreSQL ms in claim statements per s", "claimExecMsPerSec", 1);
  row("PostgreSQL execution µs / task (all)", "pgExecMicrosPerTask", 0);
  row("machine idle %", "idlePct", 0);
  row("load average (1 min) before each run", "load1", 1);
  for (const s of setups.filter((x) => x.statementsByQuery?.length)) {
    lines.push(`  ${s.name}: most executed statements, per task (calls, rows, µs of PostgreSQL):`);
    for (const q of s.statementsByQuery.slice(0, 8))
      lines.push(
        `    ${n(q.callsPerTask, 3).padStart(7)} ${n(q.rowsPerTask, 3).padStart(7)} ` +
          `${n(q.execMicrosPerTask, 1).padStart(7)}  ${q.query.slice(0, 90)}`,
      );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function main() {
  if (o.print) return printTable(JSON.parse(readFileSync(o.print, "utf8")));
  const config = o.config ? JSON.parse(readFileSync(o.config, "utf8")) : {};
  const cores = config.machine?.cores ?? 2;
  const tasks = int("tasks");
  const runs = int("runs");
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const kernelBytes = readFileSync(o.kernel);
  const list = JSON.parse(readFileSync(o.setups, "utf8"));
  const setups = [];
  for (const s of list) setups.push(await prepare(s, kernelBytes));

  for (const s of setups) {
    const spec = (t, name) => ({ name, kernel: s.kernel, tasks: t, merge: { kind: "concat" } });
    s.warmup = await warmUp(s.api, spec, s.pids, cores, s.kernel, {
      tasks: int("warmup-tasks"),
      maxJobs: int("warmup-max-jobs"),
      latencyTasks: int("latency-tasks"),
      pollMs: int("poll-ms"),
      statusPollMs: int("status-poll-ms"),
      label: `${s.name} `,
    });
    s.runs = [];
    s.byQuery = new Map();
  }
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < setups.length; k++) {
      const s = setups[(r + k) % setups.length];
      s.runs.push(await measured(s, tasks, r + 1, cores));
    }
  }

  const result = {
    benchmark: "throughput-setups",
    finishedAt: new Date().toISOString(),
    config,
    tasks,
    runs,
    statusPollMs: int("status-poll-ms"),
    loadAtStart,
    loadAtEnd: loadavg().map((x) => round(x, 2)),
    setups: setups.map((s) => ({
      name: s.name,
      db: s.pg ? "postgres" : "h2",
      instances: s.serverPids.length,
      url: s.url,
      figures: figuresOf(s.runs),
      // The measured runs' statements, most executed first, per task of those runs.
      statementsByQuery: topStatements(
        s.byQuery,
        s.runs.reduce((a, r) => a + r.tasks, 0),
      ),
      warmup: s.warmup,
      throughput: s.runs,
    })),
  };
  writeFileSync(o.out, JSON.stringify(result, null, 2));
  printTable(result);
}

main().then(
  () => process.exit(0),
  (e) => {
    say(`failed: ${e.stack ?? e}`);
    process.exit(1);
  },
);
