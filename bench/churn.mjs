#!/usr/bin/env node
// Measurement half of bench/churn.sh (which starts and stops the server).
//
//   node bench/churn.mjs run --server URL --key KEY --volunteer BIN --spec JSON --out F
//        one configuration on the running server: volunteers through a counting proxy
//        (lib/wire-counter.mjs), the job submitted through the REST API, its result compared with
//        the native one. The spec (JSON) holds: label, job {name, kernel, tasks, args, merge,
//        expectedSha256}, sessions, mode ("constant" | "churn"), shape, dwellMs, leave
//        ("clean" = SIGTERM, the volunteer releases its tasks like a page's pagehide; "kill" =
//        SIGKILL), maxSessions, seed, timeoutS.
//   node bench/churn.mjs report (--dir D | --from RESULTS.json) --out F [--markdown F]
//        reads D/*/run.json, prints a markdown table (penalty = makespan / the constant-sessions
//        makespan of the same job, policy and checkpoint setting), writes F
//   node bench/churn.mjs weibull --shape K --mean M
//        prints the Weibull scale for that mean (used by the tests)

import { parseArgs } from "node:util";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  readFileSync,
  readdirSync,
  writeFileSync,
  existsSync,
  openSync,
} from "node:fs";
import { join } from "node:path";
import { Api, waitForEnd, millisBetween } from "./lib/api.mjs";
import { startWireCounter } from "./lib/wire-counter.mjs";
import { loadAverage } from "./lib/proc.mjs";

const say = (line) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- random numbers: seeded, so a configuration's arrivals and dwells repeat ----

/** mulberry32: a small seeded generator; uniform in (0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** Lanczos approximation of the gamma function (g = 7), good to about 15 digits for x > 0.5. */
export function gamma(x) {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028,
    771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return Math.sqrt(2 * Math.PI) * t ** (x + 0.5) * Math.exp(-t) * a;
}

/** The Weibull scale whose mean is `mean` at this shape: mean / Γ(1 + 1/shape). */
export const weibullScale = (shape, mean) => mean / gamma(1 + 1 / shape);

/** One Weibull draw by inversion: scale · (−ln U)^(1/shape). */
export const weibull = (rand, shape, scale) =>
  scale * (-Math.log(rand())) ** (1 / shape);

/** One exponential draw of this mean. */
export const exponential = (rand, mean) => -mean * Math.log(rand());

// ---- run ----

function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

class Population {
  #children = new Map(); // pid → {child, timer, startedAt, dwellMs}
  #spawned = 0;
  #left = { clean: 0, kill: 0 };
  spawnTimes = [];
  visits = []; // {at, dwellMs, initial}: the trace the simulator can replay

  constructor({ bin, server, key, as, logDir, leaveKind }) {
    Object.assign(this, { bin, server, key, as, logDir, leaveKind });
  }

  get size() {
    return this.#children.size;
  }

  get spawned() {
    return this.#spawned;
  }

  get left() {
    return { ...this.#left };
  }

  spawn(dwellMs) {
    const n = ++this.#spawned;
    this.spawnTimes.push(Date.now());
    const visit = { at: Date.now(), dwellMs, initial: dwellMs === null };
    this.visits.push(visit);
    const log = openSync(join(this.logDir, `volunteer-${n}.log`), "w");
    const child = spawn(
      this.bin,
      [
        "--server",
        this.server,
        // A browser visitor consents as a page would (a consent:<id> session to the server); a
        // machine proves itself with the centre's volunteer key (key:<id>).
        ...(this.as === "browser" ? ["--consent", "demo"] : ["--key", this.key]),
        "--workers",
        "1",
        "--quiet",
      ],
      { stdio: ["ignore", log, log] },
    );
    const entry = { child, timer: null, startedAt: Date.now(), dwellMs, visit };
    this.#children.set(child.pid, entry);
    child.on("exit", () => {
      clearTimeout(entry.timer);
      this.#children.delete(child.pid);
    });
    if (dwellMs !== null)
      entry.timer = setTimeout(() => this.leave(child.pid), dwellMs);
    return child.pid;
  }

  /** Gives every running volunteer without a dwell one, counted from now. */
  startDwells(dwell) {
    for (const [pid, entry] of this.#children) {
      if (entry.timer !== null) continue;
      entry.dwellMs = dwell();
      entry.visit.dwellMs = entry.dwellMs;
      entry.timer = setTimeout(() => this.leave(pid), entry.dwellMs);
    }
  }

  /** The visitor leaves: SIGTERM (releases its tasks) or SIGKILL (gone mid-task). */
  leave(pid) {
    const entry = this.#children.get(pid);
    if (!entry) return;
    const kill = this.leaveKind === "kill";
    this.#left[kill ? "kill" : "clean"]++;
    entry.child.kill(kill ? "SIGKILL" : "SIGTERM");
  }

  /** Stops every volunteer still running (SIGTERM, then SIGKILL after `graceMs`), by pid. */
  async stopAll(graceMs = 12_000) {
    for (const { timer, child } of this.#children.values()) {
      clearTimeout(timer);
      child.kill("SIGTERM");
    }
    const deadline = Date.now() + graceMs;
    while (this.#children.size && Date.now() < deadline) await sleep(100);
    for (const { child } of this.#children.values()) child.kill("SIGKILL");
    while (this.#children.size) await sleep(50);
  }
}

async function runCommand(o) {
  const spec = JSON.parse(o.spec);
  const api = new Api(o.server);
  const url = new URL(o.server);
  const counter = await startWireCounter(`${url.hostname}:${url.port}`);
  const pop = new Population({
    bin: o.volunteer,
    server: `http://127.0.0.1:${counter.port}`,
    key: o.key,
    as: spec.as ?? "machine",
    logDir: o.logs,
    leaveKind: spec.leave ?? "clean",
  });
  const rand = seededRandom(spec.seed ?? 1);
  const churn = spec.mode === "churn";
  const scale = churn ? weibullScale(spec.shape, spec.dwellMs) : null;
  const dwell = () => (churn ? weibull(rand, spec.shape, scale) : null);
  const record = { ...spec, weibullScaleMs: scale, loadAtStart: loadAverage() };
  try {
    const kernel = (await api.uploadKernel(readFileSync(spec.job.kernel)))
      .sha256;
    // The first sessions are on the page already: wait until they are connected, then submit.
    for (let i = 0; i < spec.sessions; i++) pop.spawn(null);
    const connectedBy = Date.now() + 120_000;
    const welcomed = () =>
      counter.sessions().filter((s) => s.types.welcome).length;
    while (welcomed() < spec.sessions) {
      if (Date.now() > connectedBy)
        throw new Error(
          `only ${welcomed()} of ${spec.sessions} volunteers connected in 120 s`,
        );
      await sleep(100);
    }
    const before = await api.metrics();
    const sessionsBefore = counter.sessions().length;
    const t0 = Date.now();
    const submitted = await api.submit({
      name: `bench-churn-${spec.label}`,
      kernel,
      tasks: spec.job.tasks,
      args: spec.job.args,
      merge: { kind: spec.job.merge },
      deadline: new Date(t0 + spec.timeoutS * 1000).toISOString(),
      ...(spec.job.extra ?? {}),
    });
    // Churn: the first sessions' dwell starts now; new visitors arrive as a Poisson process at
    // the rate that keeps the mean number of sessions at `sessions` (Little: λ = N / mean dwell).
    let arrivals = null;
    const capped = { count: 0 };
    if (churn) {
      // The first sessions had to connect before the job existed: their dwell starts now.
      pop.startDwells(dwell);
      const meanGap = spec.dwellMs / spec.sessions;
      const arrive = () => {
        arrivals = setTimeout(
          () => {
            if (pop.size < spec.maxSessions) pop.spawn(dwell());
            else capped.count++;
            arrive();
          },
          exponential(rand, meanGap),
        );
      };
      arrive();
    }
    const concurrency = [];
    const { status: s, endSeenAt } = await waitForEnd(api, submitted.id, {
      pollMs: 200,
      timeoutMs: spec.timeoutS * 1000 + 30_000,
      onPoll: (_, now) => concurrency.push([now - t0, pop.size]),
    });
    clearTimeout(arrivals);
    const after = await api.metrics();
    Object.assign(record, {
      jobId: s.id,
      state: s.state,
      error: s.error ?? null,
      makespanMs:
        s.finishedAt && s.createdAt
          ? millisBetween(s.createdAt, s.finishedAt)
          : null,
      wallMs: endSeenAt - t0,
      visitors: pop.spawned,
      left: pop.left,
      cappedArrivals: capped.count,
      meanConcurrency: concurrency.length
        ? concurrency.reduce((a, [, n]) => a + n, 0) / concurrency.length
        : null,
      requeued:
        (after.surge_tasks_requeued ?? 0) - (before.surge_tasks_requeued ?? 0),
      resultsIgnored:
        (after.surge_results_ignored ?? 0) -
        (before.surge_results_ignored ?? 0),
      loadAtEnd: loadAverage(),
    });
    if (s.state === "SUCCEEDED") {
      const bytes = await api.result(s.id);
      record.resultSha256 = sha256(bytes);
      record.exact = spec.job.expectedSha256
        ? record.resultSha256 === spec.job.expectedSha256
        : null;
    }
    await pop.stopAll();
    await sleep(300);
    const sessions = counter.sessions().map((x) => x.summary());
    record.sessionLog = sessions;
    record.sessionsBeforeSubmit = sessionsBefore;
    record.submittedAt = t0;
    record.spawnTimes = pop.spawnTimes;
    record.visits = pop.visits.map((v) => ({
      atMs: v.at - t0,
      dwellMs: v.dwellMs,
      initial: v.initial,
    }));
  } finally {
    await pop.stopAll();
    await counter.close();
  }
  writeFileSync(o.out, JSON.stringify(record, null, 2));
  const r = summarize(record);
  say(
    `${spec.label}: ${record.state} in ${(record.makespanMs / 1000).toFixed(1)} s, ` +
      `${record.visitors} visitors, ${r.sessionsWithResult} finished ≥ 1 task, ` +
      `${r.messagesPerTask.toFixed(2)} messages per task, lost ${(r.lostShare * 100).toFixed(1)} %` +
      (record.exact === false ? ", RESULT DIFFERS FROM NATIVE" : ""),
  );
  if (record.state !== "SUCCEEDED") process.exitCode = 1;
}

// ---- figures of one run ----

/** The figures the report shows, from one run record. */
export function summarize(r) {
  const sessions = r.sessionLog ?? [];
  const results = sessions.reduce((a, s) => a + s.results, 0);
  const kernelMs = sessions.reduce((a, s) => a + s.kernelMillis, 0);
  const messages = sessions.reduce((a, s) => a + s.up + s.down, 0);
  const meanTaskMs = results ? kernelMs / results : NaN;
  // Lost: running tasks cut short by a leave (from their start or latest checkpoint) and results
  // the server ignored because the task had been handed out again meanwhile.
  const lostMs =
    sessions.reduce((a, s) => a + s.lostMillis, 0) +
    (r.resultsIgnored ?? 0) * meanTaskMs;
  const tasks = r.job?.tasks ?? NaN;
  return {
    makespanS: r.makespanMs / 1000,
    sessions: sessions.length,
    sessionsWithResult: sessions.filter((s) => s.results > 0).length,
    results,
    meanTaskMs,
    lostS: lostMs / 1000,
    lostShare: kernelMs ? lostMs / kernelMs : 0,
    messagesPerTask: messages / tasks,
    upPerTask: sessions.reduce((a, s) => a + s.up, 0) / tasks,
    downPerTask: sessions.reduce((a, s) => a + s.down, 0) / tasks,
    checkpointMessages: sessions.reduce((a, s) => a + s.checkpoints, 0),
  };
}

// ---- report ----

function reportCommand(o) {
  let runs = [];
  let config = {};
  if (o.from) {
    // Again from a results file (after a change to the report).
    const {
      rows,
      runs: old,
      ...rest
    } = JSON.parse(readFileSync(o.from, "utf8"));
    void rows;
    runs = old;
    config = rest;
  } else {
    for (const name of readdirSync(o.dir).sort()) {
      const f = join(o.dir, name, "run.json");
      if (existsSync(f)) runs.push(JSON.parse(readFileSync(f, "utf8")));
    }
    if (existsSync(join(o.dir, "config.json")))
      config = JSON.parse(readFileSync(join(o.dir, "config.json"), "utf8"));
  }
  const group = (r) => `${r.job.name}|${r.policy}|${r.checkpoints}`;
  const constant = new Map();
  for (const r of runs)
    if (r.mode === "constant" && r.state === "SUCCEEDED")
      constant.set(group(r), r);
  const rows = runs.map((r) => {
    const f = summarize(r);
    const base = constant.get(group(r));
    return {
      label: r.label,
      job: r.job.name,
      policy: r.policy,
      checkpoints: r.checkpoints,
      mode: r.mode,
      shape: r.shape ?? null,
      leave: r.mode === "churn" ? r.leave : null,
      dwellMeanS: r.mode === "churn" ? r.dwellMs / 1000 : null,
      state: r.state,
      exact: r.exact,
      ...f,
      penalty: base && r.makespanMs ? r.makespanMs / base.makespanMs : null,
      // The same in task lengths: on a machine shared with other work a task's time changes from
      // run to run; this divides that out (see docs/benchmarks/churn.md).
      taskPenalty:
        base && r.makespanMs
          ? r.makespanMs /
            f.meanTaskMs /
            (base.makespanMs / summarize(base).meanTaskMs)
          : null,
      visitors: r.visitors,
      meanConcurrency: r.meanConcurrency,
      requeued: r.requeued,
      resultsIgnored: r.resultsIgnored,
      load: [r.loadAtStart, r.loadAtEnd],
    };
  });
  const fmt = (x, d = 2) =>
    x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d);
  const lines = [
    "| job | policy | ckpt | run | shape | leave | makespan s | penalty | in task lengths | task ms | visitors | sessions ≥1 task | lost % | msgs/task | load | exact |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.job} | ${r.policy} | ${r.checkpoints} | ${r.mode} | ${r.shape ?? "–"} | ${r.leave ?? "–"} | ` +
        `${fmt(r.makespanS, 1)} | ${fmt(r.penalty)}× | ${fmt(r.taskPenalty)}× | ${fmt(r.meanTaskMs, 0)} | ` +
        `${r.visitors} | ${r.sessionsWithResult}/${r.sessions} | ` +
        `${fmt(r.lostShare * 100, 1)} | ${fmt(r.messagesPerTask)} | ${fmt(r.load[0], 1)} | ` +
        `${r.exact === null ? "–" : r.exact ? "yes" : "NO"} |`,
    );
  }
  const table = lines.join("\n");
  process.stdout.write(`${table}\n`);
  writeFileSync(
    o.out,
    JSON.stringify({ kind: "churn", ...config, rows, runs }, null, 2),
  );
  if (o.markdown) writeFileSync(o.markdown, `${table}\n`);
}

// ---- main ----

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const { positionals, values: o } = parseArgs({
    allowPositionals: true,
    options: {
      server: { type: "string" },
      key: { type: "string" },
      volunteer: { type: "string" },
      spec: { type: "string" },
      logs: { type: "string" },
      out: { type: "string" },
      markdown: { type: "string" },
      dir: { type: "string" },
      from: { type: "string" },
      shape: { type: "string" },
      mean: { type: "string" },
    },
  });
  const command = positionals[0];
  const commands = {
    run: () => runCommand(o),
    report: () => reportCommand(o),
    "task-ms": () =>
      console.log(
        Math.round(
          summarize(JSON.parse(readFileSync(join(o.dir, "run.json"), "utf8")))
            .meanTaskMs,
        ),
      ),
    weibull: () => console.log(weibullScale(Number(o.shape), Number(o.mean))),
  };
  if (!commands[command]) {
    say(`unknown command '${command}': run, report, task-ms or weibull`);
    process.exit(2);
  }
  Promise.resolve(commands[command]()).catch((e) => {
    say(e.stack ?? String(e));
    process.exit(1);
  });
}
