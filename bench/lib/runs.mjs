// The measured jobs of bench/throughput.sh: CPU snapshots of every party from /proc, one job's
// throughput run, the latency jobs, the warm-up. Shared by throughput.mjs (one server) and
// throughput-setups.mjs (several setups in one run).

import { Api, waitForEnd, millisBetween } from "./api.mjs";
import {
  processCpu,
  treeCpu,
  threadCpu,
  machineCpu,
  loadAverage,
  diffGroups,
  round,
} from "./proc.mjs";
import { percentile } from "./stats.mjs";

const say = (line) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Thread groups of several processes, summed by name. */
function sumGroups(list) {
  const out = {};
  for (const g of list) for (const [k, v] of Object.entries(g)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * CPU used so far by each party. `pids.servers`: every server instance (summed); `pids.db`,
 * `pids.nginx`: the root of a PostgreSQL or nginx process tree, or null.
 */
function cpuSnapshot(pids) {
  const { servers, volunteers: volunteerPids, db: dbPid, nginx: nginxPid } = pids;
  return {
    at: performance.now(),
    db: dbPid ? treeCpu(dbPid) : 0,
    nginx: nginxPid ? treeCpu(nginxPid) : 0,
    server: servers.reduce((a, p) => a + processCpu(p), 0),
    serverThreads: sumGroups(servers.map(threadCpu)),
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
  const nginx = b.nginx - a.nginx;
  return {
    wallSeconds: wall,
    serverSeconds: server,
    // A separate database server (PostgreSQL); H2 runs inside the server process.
    dbSeconds: db,
    // nginx in front of clustered instances (bench/throughput.sh --setups); 0 without it.
    nginxSeconds: nginx,
    volunteerSeconds: volunteers,
    perVolunteerSeconds: perVolunteer,
    clientSeconds: client,
    // Everything else on the machine: other engineers' builds and tests, the kernel, ...
    otherSeconds: Math.max(0, busy - server - db - nginx - volunteers - client),
    idleSeconds: idle,
    idlePct: (idle / (busy + idle)) * 100,
    capacitySeconds: wall * cores,
    serverThreads: diffGroups(b.serverThreads, a.serverThreads),
    volunteerThreads: b.volunteerThreads.map((t, i) => diffGroups(t, a.volunteerThreads[i])),
  };
}

/** Waits until the servers (one Api each; several instances sum) count `expected` volunteers. */
export async function waitForVolunteers(apis, expected, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  while (Date.now() < deadline) {
    try {
      const counts = await Promise.all(
        [apis].flat().map(async (a) => (await a.health()).volunteers ?? 0),
      );
      seen = counts.reduce((x, y) => x + y, 0);
      if (seen >= expected) return seen;
    } catch {
      // Not answering yet.
    }
    await sleep(200);
  }
  throw new Error(`only ${seen} of ${expected} volunteers connected within ${timeoutMs / 1000} s`);
}

export async function runJob(api, spec, pollMs, timeoutMs, onPoll) {
  const t0 = Date.now();
  const submitted = await api.submit(spec);
  const submitMs = Date.now() - t0;
  const end = await waitForEnd(api, submitted.id, { pollMs, timeoutMs, onPoll });
  const s = end.status;
  if (s.state !== "SUCCEEDED")
    throw new Error(`job ${s.id} ended ${s.state}: ${JSON.stringify(s.error)}`);
  return { status: s, t0, submitMs, endSeenAt: end.endSeenAt, mergingSeenAt: end.mergingSeenAt };
}

/** One job; its status is polled every `statusPollMs` (100 by default, as bench/throughput.sh). */
export async function throughputRun(api, spec, pids, cores, statusPollMs = 100) {
  const before = cpuSnapshot(pids);
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
  const job = await runJob(api, spec, statusPollMs, 30 * 60_000, onPoll);
  const after = cpuSnapshot(pids);
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
      nginx: perTask(cpu.nginxSeconds),
      volunteers: perTask(cpu.volunteerSeconds),
      serverPlusVolunteers: perTask(cpu.serverSeconds + cpu.dbSeconds + cpu.volunteerSeconds),
      other: perTask(cpu.otherSeconds),
    },
  };
}

export async function latencyRuns(api, kernel, jobs, tasks, pollMs) {
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
export const jitShare = (run) => {
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
export async function warmUp(api, spec, pids, cores, kernel, opts) {
  const { tasks, maxJobs, latencyTasks, pollMs, statusPollMs, label = "" } = opts;
  const history = [];
  for (let j = 1; tasks > 0 && j <= maxJobs; j++) {
    const run = await throughputRun(
      api,
      spec(tasks, `bench-warmup-${j}`),
      pids,
      cores,
      statusPollMs,
    );
    const share = jitShare(run);
    history.push({ tasks, tasksPerSecServer: run.tasksPerSecServer, jitShareOfServerCpu: share });
    say(
      `${label}warm-up ${j}: ${round(run.tasksPerSecServer, 0)} tasks/s, JIT ${round(share * 100, 0)}% of server CPU`,
    );
    if (j >= 2 && share < 0.1) break;
  }
  // The small-job path (REST submit, merge of one output) has its own code to compile.
  await latencyRuns(api, kernel, 20, latencyTasks, pollMs);
  return history;
}
