#!/usr/bin/env node
// Measurement half of bench/sbatch.sh (which starts and stops the cluster, server and volunteers).
//
//   node bench/sbatch.mjs --server URL --jobs DIR --kernel F [--runs N] [--warmup N] --out F
//
// Each round submits, one after the other and each waited for, two jobs to the volunteer
// partition with `sbatch`:
//   bare   a script that only records when it started: Slurm's own floor (the baseline);
//   surge  a script with one #OFFLOAD task of noop.wasm that records when it started and then
//          runs `exec surge offload "$0"`.
// Timestamps, all from this machine's clock: t0 just before sbatch is called; the script's start
// ($EPOCHREALTIME, its first line); the server job's createdAt (the launcher has uploaded and
// submitted) and startedAt (the dispatcher leased the first task to a volunteer, which starts it
// on receipt). sbatch-to-first-task = startedAt - t0.
import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { Api } from "./lib/api.mjs";
import { percentile, median } from "./lib/stats.mjs";

const { values: o } = parseArgs({
  options: {
    server: { type: "string" },
    jobs: { type: "string" },
    kernel: { type: "string" },
    runs: { type: "string", default: "40" },
    warmup: { type: "string", default: "3" },
    config: { type: "string" },
    out: { type: "string" },
  },
});
for (const k of ["server", "jobs", "kernel", "out"])
  if (!o[k]) throw new Error(`--${k} is required`);
const runs = Number(o.runs);
const warmup = Number(o.warmup);
const api = new Api(o.server);

copyFileSync(o.kernel, join(o.jobs, "noop.wasm"));
writeFileSync(
  join(o.jobs, "bare.sh"),
  '#!/bin/bash\nprintf "%s\\n" "$EPOCHREALTIME" > "start-$SLURM_JOB_ID"\n',
);
writeFileSync(
  join(o.jobs, "surge.sh"),
  [
    "#!/bin/bash",
    "#OFFLOAD --kernel=noop.wasm --tasks=1 --merge=concat",
    'printf "%s\\n" "$EPOCHREALTIME" > "start-$SLURM_JOB_ID"',
    'exec surge offload "$0"',
    "",
  ].join("\n"),
);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Slurm starts jobs in passes about a second apart, and a job submitted just after the previous
// one ended lands at the same phase of that cycle every time: a random pause before each sbatch
// samples the whole cycle, as independent users' submissions do.
async function sbatch(script) {
  await sleep(Math.random() * 1000);
  const t0 = Date.now();
  const id = execFileSync("sbatch", ["--parsable", "-p", "volunteer", "-o", "/dev/null", script], {
    cwd: o.jobs,
    encoding: "utf8",
  })
    .trim()
    .split(";")[0];
  return { id, t0 };
}

async function awaitEnd(id) {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const line = execFileSync("scontrol", ["show", "job", "-o", id], { encoding: "utf8" });
    const state = /JobState=(\S+)/.exec(line)?.[1];
    if (state && !["PENDING", "CONFIGURING", "RUNNING", "COMPLETING"].includes(state)) {
      if (state !== "COMPLETED") throw new Error(`job ${id} ended ${state}: ${line}`);
      return;
    }
    await sleep(50);
  }
  throw new Error(`job ${id} did not end within 120 s`);
}

function scriptStart(id) {
  const f = join(o.jobs, `start-${id}`);
  if (!existsSync(f)) throw new Error(`job ${id} left no start-${id}`);
  return Number(readFileSync(f, "utf8").trim()) * 1000;
}

async function serverJob(slurmJobId) {
  const list = await api.list();
  const job = list.find((j) => j.slurmJobId === slurmJobId);
  if (!job) throw new Error(`no server job records Slurm job ${slurmJobId}`);
  return job;
}

const samples = { bare: [], slurmStart: [], launcher: [], dispatch: [], total: [] };
for (let i = -warmup; i < runs; i++) {
  const bare = await sbatch("bare.sh");
  await awaitEnd(bare.id);
  const surge = await sbatch("surge.sh");
  await awaitEnd(surge.id);
  const job = await serverJob(surge.id);
  const start = scriptStart(surge.id);
  const created = Date.parse(job.createdAt);
  const started = Date.parse(job.startedAt);
  if (i < 0) continue;
  samples.bare.push(scriptStart(bare.id) - bare.t0);
  samples.slurmStart.push(start - surge.t0);
  samples.launcher.push(created - start);
  samples.dispatch.push(started - created);
  samples.total.push(started - surge.t0);
  process.stderr.write(`\rround ${i + 1}/${runs}`);
}
process.stderr.write("\n");

const fig = (v) => ({
  p50: Math.round(percentile(v, 50)),
  p99: Math.round(percentile(v, 99)),
  min: Math.round(Math.min(...v)),
  max: Math.round(Math.max(...v)),
  median: Math.round(median(v)),
});
const result = {
  at: new Date().toISOString(),
  runs,
  config: o.config ? JSON.parse(readFileSync(o.config, "utf8")) : null,
  millis: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, fig(v)])),
  ratioTotalToBareP50: +(percentile(samples.total, 50) / percentile(samples.bare, 50)).toFixed(2),
  samples,
};
writeFileSync(o.out, JSON.stringify(result, null, 2));
const rows = [
  ["bare job: sbatch -> script running (baseline)", "bare"],
  ["surge job: sbatch -> script running", "slurmStart"],
  ["  script -> server job created (launcher JVM, upload, submit)", "launcher"],
  ["  created -> first task leased to a volunteer", "dispatch"],
  ["surge job: sbatch -> first task running", "total"],
];
console.log(`\n${runs} rounds, milliseconds          p50     p99     min     max`);
for (const [label, k] of rows) {
  const f = result.millis[k];
  console.log(
    `${label.padEnd(62)} ${String(f.p50).padStart(6)}  ${String(f.p99).padStart(6)}  ${String(f.min).padStart(6)}  ${String(f.max).padStart(6)}`,
  );
}
console.log(`sbatch -> first task, p50, over the bare job's p50: ${result.ratioTotalToBareP50} x`);
