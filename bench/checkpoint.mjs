#!/usr/bin/env node
// Checkpoint cost and first-task speed of the sample kernels on the volunteer's own path
// (worker-runtime's worker.js → run-kernel.js on browser_wasi_shim), docs/benchmarks/checkpoint.md.
//
//   node bench/checkpoint.mjs overhead [--rounds N]
//     the same tasks with checkpoints off and on (SURGE_CHECKPOINT_INTERVAL 2 s, and a harsh
//     200 ms), interleaved in one process after a warm-up; ratio of medians on/off
//   node bench/checkpoint.mjs e2e --server URL --key KEY [--rounds N] [--workers W]
//     (bench/checkpoint.sh starts the server) the same jobs through the real server, run by a
//     Node volunteer with checkpoints on and one with them off, alternately; ratio of medians of
//     the makespans, results checked against the native build
//   node bench/checkpoint.mjs first-warm [--trials N] [--baseline FILE.wasm]
//     one fresh Node process per trial: the first task of a freshly compiled module, then warm
//     runs; ratio first / median(warm). --baseline: the same for another build of the kernel
//     (e.g. the montecarlo of before surge_run, compiled from git history)
//
// Kernels come from examples/kernels/build/wasm (make -C examples/kernels first).

import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";
import { handleMessage } from "../worker-runtime/src/worker.js";
import { createNodeVolunteer } from "../worker-runtime/src/node/index.js";
import { Api } from "./lib/api.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const wasmDir = `${here}../examples/kernels/build/wasm/`;

// Overhead: tasks of about a second, so that a 200 ms interval saves several checkpoints.
const JOBS = {
  montecarlo: { args: ["100000000"], count: 36 },
  mandelbrot: { args: ["800", "600", "10000"], count: 2 },
};
// First task vs warm: the tasks (Monte Carlo 20 M samples; a band of 4000x3000 in 60).
const FIRST_JOBS = {
  montecarlo: { args: ["20000000"], count: 36 },
  mandelbrot: { args: ["4000", "3000"], count: 60 },
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[(s.length - 1) / 2]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

let nextId = 1;
/** One task through the worker's handler, as a volunteer's worker runs it; ms and checkpoints. */
async function task(module, name, index, checkpointMs, job = JOBS[name]) {
  const posts = [];
  const limits =
    checkpointMs > 0 ? { checkpointMs, maxCheckpointBytes: 1 << 20 } : {};
  const started = performance.now();
  const cpu = process.cpuUsage();
  await handleMessage(
    {
      id: nextId++,
      module,
      task: {
        kernel: name,
        args: job.args,
        env: {
          SURGE_TASK_INDEX: String(index),
          SURGE_TASK_COUNT: String(job.count),
        },
        stdin: "",
      },
      limits,
    },
    (m) => posts.push(m),
  );
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // CPU ms of this process (kernel, shim, background compilation): robust to the machine's load.
  const cpuMs = (used.user + used.system) / 1000;
  const result = posts.at(-1).result;
  if (!result || result.status !== "ok")
    throw new Error(`task failed: ${JSON.stringify(posts.at(-1))}`);
  return { ms, cpuMs, checkpoints: posts.length - 1, stdout: result.stdout };
}

async function overhead(rounds) {
  const settings = [0, 2000, 200];
  const out = {
    loadavg: loadavg().map((x) => +x.toFixed(2)),
    rounds,
    kernels: {},
  };
  for (const name of Object.keys(JOBS)) {
    const module = await WebAssembly.compile(
      readFileSync(`${wasmDir}${name}.wasm`),
    );
    for (let i = 0; i < 3; i++) await task(module, name, i, 0); // tiered up
    const times = Object.fromEntries(settings.map((s) => [s, []]));
    const cpu = Object.fromEntries(settings.map((s) => [s, []]));
    const saves = Object.fromEntries(settings.map((s) => [s, 0]));
    for (let r = 0; r < rounds; r++) {
      for (const s of r % 2 ? [...settings].reverse() : settings) {
        const t = await task(module, name, r % JOBS[name].count, s);
        times[s].push(t.ms);
        cpu[s].push(t.cpuMs);
        saves[s] += t.checkpoints;
      }
    }
    const off = median(times[0]);
    out.kernels[name] = {
      args: JOBS[name].args,
      offMs: +off.toFixed(1),
      on2sMs: +median(times[2000]).toFixed(1),
      on200msMs: +median(times[200]).toFixed(1),
      ratio2s: +(median(times[2000]) / off).toFixed(3),
      ratio200ms: +(median(times[200]) / off).toFixed(3),
      checkpointsPerTask200ms: +(saves[200] / rounds).toFixed(1),
      cpuRatio2s: +(median(cpu[2000]) / median(cpu[0])).toFixed(3),
      cpuRatio200ms: +(median(cpu[200]) / median(cpu[0])).toFixed(3),
    };
  }
  return out;
}

// A child: the first task on a fresh module in a fresh process, then `warm` more.
async function child(file, name, warm) {
  const module = await WebAssembly.compile(readFileSync(file));
  const times = [];
  for (let i = 0; i <= warm; i++) {
    const t = await task(module, name, 30, 0, FIRST_JOBS[name]); // the same work each time
    times.push([t.ms, t.cpuMs]);
  }
  process.stdout.write(JSON.stringify(times));
}

function firstWarm(trials, baseline) {
  const out = {
    loadavg: loadavg().map((x) => +x.toFixed(2)),
    trials,
    kernels: {},
  };
  const builds = Object.keys(JOBS).map((name) => ({
    label: name,
    name,
    file: `${wasmDir}${name}.wasm`,
  }));
  if (baseline)
    builds.push({
      label: `montecarlo (baseline ${baseline})`,
      name: "montecarlo",
      file: baseline,
    });
  for (const b of builds) {
    const firsts = [];
    const warms = [];
    const firstsCpu = [];
    const warmsCpu = [];
    for (let t = 0; t < trials; t++) {
      const times = JSON.parse(
        execFileSync(
          process.execPath,
          [fileURLToPath(import.meta.url), "child", b.file, b.name, "4"],
          {
            encoding: "utf8",
          },
        ),
      );
      firsts.push(times[0][0]);
      warms.push(median(times.slice(1).map((x) => x[0])));
      firstsCpu.push(times[0][1]);
      warmsCpu.push(median(times.slice(1).map((x) => x[1])));
    }
    out.kernels[b.label] = {
      firstMs: +median(firsts).toFixed(1),
      warmMs: +median(warms).toFixed(1),
      ratio: +(median(firsts) / median(warms)).toFixed(2),
      ratios: firsts.map((f, i) => +(f / warms[i]).toFixed(2)),
      firstCpuMs: +median(firstsCpu).toFixed(1),
      warmCpuMs: +median(warmsCpu).toFixed(1),
      cpuRatio: +(median(firstsCpu) / median(warmsCpu)).toFixed(2),
      cpuRatios: firstsCpu.map((f, i) => +(f / warmsCpu[i]).toFixed(2)),
    };
  }
  return out;
}

// The jobs of the end-to-end run: tasks of about a second, as in Panther's (200 M samples each).
const E2E_JOBS = {
  montecarlo: { args: ["100000000"], tasks: 12 },
  mandelbrot: { args: ["800", "600", "10000"], tasks: 6 },
};

function nativeOutput(name, { args, tasks }) {
  const program = `${here}../examples/kernels/build/native/${name}`;
  const parts = [];
  for (let i = 0; i < tasks; i++) {
    parts.push(
      execFileSync(program, args, {
        env: { SURGE_TASK_INDEX: String(i), SURGE_TASK_COUNT: String(tasks) },
      }),
    );
  }
  return Buffer.concat(parts);
}

async function e2e(server, key, rounds, workers) {
  const api = new Api(server);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const volunteers = {
    on: createNodeVolunteer({ server, key, workers, checkpoints: true }),
    off: createNodeVolunteer({ server, key, workers, checkpoints: false }),
  };
  const out = {
    loadavg: loadavg().map((x) => +x.toFixed(2)),
    rounds,
    workers,
    kernels: {},
  };
  for (const [name, job] of Object.entries(E2E_JOBS)) {
    const expected = nativeOutput(name, job);
    const { sha256 } = await api.uploadKernel(
      readFileSync(`${wasmDir}${name}.wasm`),
    );
    const times = { on: [], off: [] };
    const sent = { on: 0, off: 0 };
    for (let r = 0; r <= rounds; r++) {
      for (const mode of r % 2 ? ["off", "on"] : ["on", "off"]) {
        const v = volunteers[mode];
        const before = v.stats.checkpointsSent;
        v.start();
        while (v.state !== "connected") await sleep(20);
        const started = performance.now();
        const { id } = await api.submit({
          kernel: sha256,
          tasks: job.tasks,
          args: job.args,
          verify: "none",
          merge: { kind: "concat" },
        });
        let state;
        do {
          await sleep(20);
          state = (await api.status(id)).state;
        } while (!["SUCCEEDED", "FAILED", "CANCELLED"].includes(state));
        const ms = performance.now() - started;
        await v.stop();
        if (state !== "SUCCEEDED")
          throw new Error(`${name} job ${id} ${state}`);
        const result = Buffer.from(await api.result(id));
        if (!result.equals(expected))
          throw new Error(`${name} job ${id}: result differs from native`);
        if (r === 0) continue; // warm-up: kernel fetched and compiled, V8 tiered up
        times[mode].push(ms);
        sent[mode] += v.stats.checkpointsSent - before;
      }
    }
    out.kernels[name] = {
      job,
      offMs: Math.round(median(times.off)),
      onMs: Math.round(median(times.on)),
      ratio: +(median(times.on) / median(times.off)).toFixed(3),
      checkpointsPerJob: +(sent.on / rounds).toFixed(1),
      runsOffMs: times.off.map(Math.round),
      runsOnMs: times.on.map(Math.round),
      byteIdentical: true,
    };
  }
  return out;
}

const [mode, ...rest] = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = rest.indexOf(name);
  return at >= 0 ? rest[at + 1] : fallback;
};
if (mode === "child") await child(rest[0], rest[1], Number(rest[2]));
else if (mode === "overhead")
  console.log(
    JSON.stringify(await overhead(Number(opt("--rounds", 10))), null, 1),
  );
else if (mode === "e2e")
  console.log(
    JSON.stringify(
      await e2e(
        opt("--server"),
        opt("--key"),
        Number(opt("--rounds", 3)),
        Number(opt("--workers", 2)),
      ),
      null,
      1,
    ),
  );
else if (mode === "first-warm")
  console.log(
    JSON.stringify(
      firstWarm(Number(opt("--trials", 5)), opt("--baseline")),
      null,
      1,
    ),
  );
else {
  process.stderr.write(
    "usage: node bench/checkpoint.mjs overhead [--rounds N] | first-warm [--trials N] [--baseline FILE.wasm]\n",
  );
  process.exit(2);
}
