// The local baseline: the runtime's own cost per task with no server, no socket, no JSON.
//   inline  runKernel() in a loop on the main thread (browser_wasi_shim, as every task runs)
//   pool    the volunteer's Pool with worker threads, so structured cloning and the base64 of
//           stdout/stderr are included, as on a real volunteer
// Both instantiate the compiled module afresh for every task, exactly as a volunteer does.

import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { summary } from "./stats.mjs";

const WARMUP = 2000;

function taskFor(kernel, index, count) {
  // What the server sends for a noop job without args: the two task variables, empty stdin.
  return {
    job: "j-local",
    index,
    kernel,
    args: [],
    env: { SURGE_TASK_INDEX: String(index), SURGE_TASK_COUNT: String(count) },
    stdin: "",
  };
}

async function inline(runKernel, module, tasks) {
  const t = taskFor("k", 0, tasks);
  for (let i = 0; i < tasks; i++) {
    t.env.SURGE_TASK_INDEX = String(i);
    const r = await runKernel(module, { args: t.args, env: t.env, stdin: new Uint8Array(0) });
    if (r.status !== "ok") throw new Error(`local run of task ${i} ended ${r.status}`);
  }
}

async function pooled(pool, module, sha, tasks) {
  const outcomes = [];
  for (let i = 0; i < tasks; i++) outcomes.push(pool.run(taskFor(sha, i, tasks), module));
  for (const o of await Promise.all(outcomes)) {
    if (o.outcome !== "done" || o.result.status !== "ok") {
      throw new Error(`pooled local run failed: ${JSON.stringify(o).slice(0, 200)}`);
    }
  }
}

async function timed(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

/**
 * Runs each variant `runs` times on `tasks` tasks after a warm-up; returns per-variant summaries.
 * @param {{runtime: string, kernel: string, tasks: number, runs: number, workers: number}} o
 */
export async function runBaseline({ runtime, kernel, tasks, runs, workers }) {
  const src = new URL(`file://${runtime.replace(/\/?$/, "/")}src/`);
  const { runKernel } = await import(new URL("run-kernel.js", src));
  const { Pool } = await import(new URL("pool.js", src));
  const { createNodeWorker } = await import(new URL("node/worker-factory.js", src));
  const bytes = readFileSync(kernel);
  const sha = createHash("sha256").update(bytes).digest("hex");
  const module = await WebAssembly.compile(bytes);

  // One pool per variant, kept across warm-up and runs: its workers start once, as on a volunteer.
  const pools = [];
  const pool = (size) => {
    const p = new Pool({ createWorker: createNodeWorker, workers: size });
    pools.push(p);
    return p;
  };
  const variants = { inline: (n) => inline(runKernel, module, n) };
  for (const size of new Set([1, workers])) {
    const p = pool(size);
    variants[`pool${size}`] = (n) => pooled(p, module, sha, n);
  }

  const out = {};
  for (const [name, fn] of Object.entries(variants)) {
    await fn(WARMUP);
    const samples = [];
    for (let r = 0; r < runs; r++) samples.push(await timed(() => fn(tasks)));
    out[name] = {
      tasks,
      tasksPerSec: summary(samples.map((s) => tasks / s.wall)),
      cpuMicrosPerTask: summary(samples.map((s) => (s.cpu / tasks) * 1e6)),
      samples: samples.map((s) => ({ wallSeconds: s.wall, cpuSeconds: s.cpu })),
    };
  }
  pools.forEach((p) => p.stopAll());
  return out;
}
