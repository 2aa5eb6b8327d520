#!/usr/bin/env node
// Measurement half of bench/saboteurs.sh (which starts and stops the server and the volunteers).
//
//   node bench/saboteurs.mjs expected --native F --tasks T --samples S --out F
//        the right output of every task, from the examples' native build (a trusted runner)
//   node bench/saboteurs.mjs jobs --server URL --kernel F --expected F --tasks T --samples S
//        --jobs M --volunteers N --verify MODE|- [--verify-error E] [--timeout-s S] --out F
//        M Monte Carlo jobs (concat merge) one after another on the running server, each task's
//        merged output compared with the expected one; `--verify -` sends no verify field (a
//        server without verification refuses it)
//   node bench/saboteurs.mjs report --dir D --out F
//        reads D/<run>/{run.json,jobs.json,volunteer logs}, prints a markdown table, writes F

import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Api, waitForEnd, millisBetween } from "./lib/api.mjs";

const say = (line) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { positionals, values: o } = parseArgs({
  allowPositionals: true,
  options: {
    native: { type: "string" },
    server: { type: "string" },
    kernel: { type: "string" },
    expected: { type: "string" },
    tasks: { type: "string" },
    samples: { type: "string" },
    jobs: { type: "string" },
    volunteers: { type: "string" },
    verify: { type: "string" },
    "verify-error": { type: "string" },
    "timeout-s": { type: "string", default: "900" },
    dir: { type: "string" },
    out: { type: "string" },
  },
});
const int = (name) => {
  const v = Number(o[name]);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${name} must be a whole number of at least 1, got '${o[name]}'`);
  return v;
};

// ---- expected: every task's output from the native build ----

function expectedCommand() {
  const tasks = int("tasks");
  const outputs = [];
  for (let i = 0; i < tasks; i++) {
    const env = { SURGE_TASK_INDEX: String(i), SURGE_TASK_COUNT: String(tasks) };
    outputs.push(execFileSync(o.native, [o.samples], { env, encoding: "latin1" }));
  }
  writeFileSync(o.out, JSON.stringify({ native: o.native, samples: o.samples, outputs }));
  say(`expected outputs of ${tasks} tasks from ${o.native}`);
}

// ---- jobs ----

async function connectedVolunteers(api) {
  const m = await api.metrics();
  return m.surge_volunteers_connected ?? -1;
}

async function waitForVolunteers(api, expected, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  while (Date.now() < deadline) {
    try {
      seen = await connectedVolunteers(api);
      if (seen >= expected) return seen;
    } catch {
      // Not answering yet.
    }
    await sleep(250);
  }
  throw new Error(`only ${seen} of ${expected} volunteers connected within ${timeoutMs / 1000} s`);
}

/**
 * Splits a concat-merged Monte Carlo result into the tasks' lines and counts the ones that differ
 * from the expected outputs (a missing or extra line counts as a wrong task).
 */
export function compareOutputs(merged, expected) {
  const lines = merged.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const wrongTasks = [];
  for (let i = 0; i < Math.max(lines.length, expected.length); i++) {
    if (lines[i] !== expected[i]) wrongTasks.push(i);
  }
  return { lines: lines.length, wrongTasks };
}

async function jobsCommand() {
  const api = new Api(o.server);
  const tasks = int("tasks");
  const jobs = int("jobs");
  const expected = JSON.parse(readFileSync(o.expected, "utf8")).outputs;
  if (expected.length !== tasks) throw new Error(`--expected holds ${expected.length} outputs`);
  const seen = await waitForVolunteers(api, int("volunteers"));
  say(`${seen} volunteers connected`);
  const kernel = (await api.uploadKernel(readFileSync(o.kernel))).sha256;
  const timeoutMs = Number(o["timeout-s"]) * 1000;
  const records = [];
  for (let j = 1; j <= jobs; j++) {
    const spec = {
      name: `bench-saboteurs-${j}`,
      kernel,
      tasks,
      args: [o.samples],
      merge: { kind: "concat" },
      deadline: new Date(Date.now() + timeoutMs).toISOString(),
    };
    if (o.verify !== "-") spec.verify = o.verify;
    if (o["verify-error"]) spec.verifyError = Number(o["verify-error"]);
    const t0 = Date.now();
    const submitted = await api.submit(spec);
    const { status: s, endSeenAt } = await waitForEnd(api, submitted.id, {
      pollMs: 200,
      timeoutMs: timeoutMs + 60_000,
    });
    const record = {
      job: s.id,
      state: s.state,
      error: s.error ?? null,
      tasks,
      serverMs: s.finishedAt && s.createdAt ? millisBetween(s.createdAt, s.finishedAt) : null,
      wallMs: endSeenAt - t0,
      verification: s.verification ?? null,
      volunteersConnected: await connectedVolunteers(api).catch(() => -1),
    };
    if (s.state === "SUCCEEDED") {
      const merged = Buffer.from(await api.result(s.id)).toString("latin1");
      const { lines, wrongTasks } = compareOutputs(merged, expected);
      Object.assign(record, { lines, wrongAccepted: wrongTasks.length, wrongTasks });
      record.exact = wrongTasks.length === 0;
    } else {
      Object.assign(record, { wrongAccepted: null, exact: false });
    }
    records.push(record);
    const v = record.verification;
    say(
      `job ${j}/${jobs} ${s.id} ${s.state} in ${(record.wallMs / 1000).toFixed(1)} s, ` +
        `${record.wrongAccepted ?? "?"} wrong of ${tasks}` +
        (v ? `, ${v.summary ?? `work ${v.work}`}` : ", no verification in the status") +
        (s.error ? `: ${s.error.message}` : ""),
    );
  }
  writeFileSync(o.out, JSON.stringify(records, null, 2));
}

// ---- report ----

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** What the volunteer logs of a run say: lies sent, and who was closed with 4403. */
function readVolunteerLogs(dir) {
  const out = { saboteurs: 0, honest: 0, results: 0, lies: 0, blacklistedSaboteurs: 0 };
  out.blacklistedHonest = 0;
  for (const name of readdirSync(dir)) {
    const m = /^(saboteur|honest)-\d+\.log$/.exec(name);
    if (!m) continue;
    const log = readFileSync(join(dir, name), "utf8");
    const blacklisted = /4403/.test(log);
    if (m[1] === "saboteur") {
      out.saboteurs++;
      if (blacklisted) out.blacklistedSaboteurs++;
      // The last tally is the final one (it is also printed when blacklisted).
      const tallies = [...log.matchAll(/returned (\d+) results, (\d+) lies/g)];
      const last = tallies.at(-1);
      if (last) {
        out.results += Number(last[1]);
        out.lies += Number(last[2]);
      }
    } else {
      out.honest++;
      if (blacklisted) out.blacklistedHonest++;
    }
  }
  return out;
}

function summarise(run, jobs, logs) {
  const tasks = jobs.reduce((a, j) => a + j.tasks, 0);
  const succeeded = jobs.filter((j) => j.state === "SUCCEEDED");
  const checkedTasks = succeeded.reduce((a, j) => a + j.tasks, 0);
  const wrong = succeeded.reduce((a, j) => a + j.wrongAccepted, 0);
  const work = (js) => mean(js.map((j) => j.verification?.work).filter((w) => w != null));
  const serverMs = (js) => mean(js.map((j) => j.serverMs).filter((x) => x != null));
  return {
    ...run,
    jobs: jobs.length,
    jobsSucceeded: succeeded.length,
    tasks,
    checkedTasks,
    wrongAccepted: wrong,
    errorRate: checkedTasks ? wrong / checkedTasks : null,
    // With no wrong result seen in n tasks, the rate is below 3/n with 95 % confidence.
    errorRateUpper95: checkedTasks && wrong === 0 ? 3 / checkedTasks : null,
    exactJobsShare: jobs.length ? jobs.filter((j) => j.exact).length / jobs.length : null,
    workFirstJob: work(jobs.slice(0, 1)),
    workLaterJobs: work(jobs.slice(1)),
    workLastJob: jobs.length > 1 ? work(jobs.slice(-1)) : null,
    workAll: work(jobs),
    serverMsFirstJob: serverMs(jobs.slice(0, 1)),
    serverMsLaterJobs: jobs.length > 1 ? serverMs(jobs.slice(1)) : serverMs(jobs),
    blacklistedReported: jobs.reduce((a, j) => a + (j.verification?.blacklisted ?? 0), 0),
    disagreements: jobs.reduce((a, j) => a + (j.verification?.disagreements ?? 0), 0),
    spotChecks: jobs.reduce((a, j) => a + (j.verification?.spotChecks ?? 0), 0),
    volunteerLogs: logs,
    failedJobs: jobs.filter((j) => j.state !== "SUCCEEDED").map((j) => [j.job, j.error?.message]),
  };
}

const fmt = (x, digits = 2) => (x == null || Number.isNaN(x) ? "–" : x.toFixed(digits));
const rate = (r) =>
  r.errorRate == null
    ? "–"
    : r.wrongAccepted === 0
      ? `0 (< ${r.errorRateUpper95.toPrecision(2)})`
      : r.errorRate.toPrecision(2);

function reportCommand() {
  const runs = [];
  for (const name of readdirSync(o.dir).sort()) {
    const dir = join(o.dir, name);
    if (!existsSync(join(dir, "run.json")) || !existsSync(join(dir, "jobs.json"))) continue;
    const run = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
    const jobs = JSON.parse(readFileSync(join(dir, "jobs.json"), "utf8"));
    runs.push({ summary: summarise(run, jobs, readVolunteerLogs(dir)), jobs });
  }
  const baseline = runs.find((r) => r.summary.baseline)?.summary;
  const shares = runs.filter((r) => !r.summary.baseline).map((r) => r.summary);
  // Job time (createdAt -> finishedAt) against the run without verification: the first jobs pay
  // for warming up a fresh server and fresh volunteers, so the later jobs are compared.
  const ratio = (a, b) => (a != null && b ? a / b : null);
  for (const s of shares) {
    s.timeVsBaselineFirstJob = ratio(s.serverMsFirstJob, baseline?.serverMsFirstJob);
    s.timeVsBaseline = ratio(s.serverMsLaterJobs, baseline?.serverMsLaterJobs);
  }
  const config = existsSync(join(o.dir, "config.json"))
    ? JSON.parse(readFileSync(join(o.dir, "config.json"), "utf8"))
    : {};
  const lines = [];
  const b = baseline;
  lines.push(
    `| saboteurs | of ${shares[0]?.volunteers ?? "?"} volunteers | verify | jobs ok | tasks | lies sent | wrong accepted | error rate per task | exact jobs | work, job 1 | work, later jobs | work, last job | job time vs. no verification (later jobs) | saboteurs blacklisted | honest blacklisted |`,
  );
  lines.push(`|${"---|".repeat(15)}`);
  const row = (s) =>
    `| ${s.sharePct} % | ${s.saboteurs} | ${s.verify} | ${s.jobsSucceeded}/${s.jobs} | ${s.checkedTasks} | ` +
    `${s.volunteerLogs.lies} | ${s.wrongAccepted} | ${rate(s)} | ` +
    `${fmt(s.exactJobsShare * 100, 0)} % | ${fmt(s.workFirstJob)} | ${fmt(s.workLaterJobs)} | ${fmt(s.workLastJob)} | ` +
    `${s.baseline ? "1 (baseline)" : fmt(s.timeVsBaseline)} | ` +
    `${s.volunteerLogs.blacklistedSaboteurs}/${s.volunteerLogs.saboteurs} | ${s.volunteerLogs.blacklistedHonest} |`;
  if (b) lines.push(row(b));
  for (const s of shares) lines.push(row(s));
  const table = lines.join("\n");
  process.stdout.write(
    `\nSurge under saboteurs: ${config.command ?? ""}\n` +
      `Monte Carlo (${config.samples ?? "?"} samples per task), ${config.tasks ?? "?"} tasks per job, ` +
      `${config.jobs ?? "?"} jobs per share, saboteurs ${config.saboteurSpecs ?? "?"}\n\n${table}\n`,
  );
  for (const s of [b, ...shares].filter(Boolean)) {
    for (const [id, why] of s.failedJobs) say(`${s.label}: job ${id} did not succeed: ${why}`);
  }
  writeFileSync(
    o.out,
    JSON.stringify({ ...config, baseline: b ?? null, shares, table, runs }, null, 2),
  );
}

const command = { expected: expectedCommand, jobs: jobsCommand, report: reportCommand }[
  positionals[0]
];
if (!command) {
  say("usage: saboteurs.mjs expected|jobs|report [options] (see the header of this file)");
  process.exit(2);
}
Promise.resolve()
  .then(command)
  .then(
    () => process.exit(0),
    (e) => {
      say(`failed: ${e.stack ?? e}`);
      process.exit(1);
    },
  );
