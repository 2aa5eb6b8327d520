#!/usr/bin/env node
// First task of a fresh volunteer against its warm tasks, in CPU time, so that the figure holds
// on a loaded machine: a fresh process (Node) or a fresh headless Chromium runs the volunteer's
// own Pool (one worker, the runtime's worker factory), compiles the kernel as the volunteer does,
// and runs the same task `--tasks` times one after another; the CPU the whole process (or the
// whole Chromium) used during each task is read from /proc. Only one thread works at a time, so
// that is the task's CPU plus the runtime's cost around it.
//
//   node bench/first-task.mjs --runtime DIR [--baseline DIR] --kernels DIR [--browser] [--tasks 6]
//        [--trials 3]
//
// Kernels: montecarlo 20 M samples, mandelbrot band 30 of 60 of 4000x3000 (both run in chunks
// through surge_run, examples/kernels/surge.h).

import { parseArgs } from "node:util";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAverage, round } from "./lib/proc.mjs";
import { summary, median } from "./lib/stats.mjs";

const { values: o } = parseArgs({
  options: {
    child: { type: "boolean", default: false },
    runtime: { type: "string" },
    baseline: { type: "string" },
    kernels: { type: "string" },
    kernel: { type: "string" },
    browser: { type: "boolean", default: false },
    tasks: { type: "string", default: "6" },
    trials: { type: "string", default: "3" },
  },
});
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// The flags every Surge test and benchmark starts Chromium with: one list, shared with the Java ITs.
const CHROMIUM_FLAGS = JSON.parse(
  readFileSync(
    new URL("../test-support/src/main/resources/surge/testing/chromium-flags.json", import.meta.url),
    "utf8",
  ),
).flags;
const SELF = fileURLToPath(import.meta.url);
const say = (line) => process.stderr.write(`bench: ${line}\n`);

/** CPU seconds of every thread of a process, in ns precision (schedstat), not clock ticks. */
function threadsCpu(pid, only = null) {
  let ns = 0;
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      if (only && !only.test(readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8"))) continue;
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return ns / 1e9;
}

/**
 * CPU of the threads named `only` in a process and every process below it: a Chromium's
 * Web Worker threads (DedicatedWorker), leaving out its browser, GPU and network processes,
 * whose background work would drown a 40 ms task.
 */
function treeCpuFine(root, only) {
  const parent = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  let total = 0;
  for (const pid of parent.keys()) {
    for (let p = pid; p > 1; p = parent.get(p) ?? 0) {
      if (p === root) {
        total += threadsCpu(pid, only);
        break;
      }
    }
  }
  return total;
}

const KERNELS = {
  montecarlo: { args: ["20000000"], env: { SURGE_TASK_INDEX: "3", SURGE_TASK_COUNT: "72" } },
  mandelbrot: { args: ["4000", "3000"], env: { SURGE_TASK_INDEX: "30", SURGE_TASK_COUNT: "60" } },
};

// The body both a Node child and a page run: compile as the kernel cache does, then one task at
// a time on a one-worker Pool; `mark(i)` is called before task i and after the last one.
const BODY = `
async function runTasks({ Pool, createWorker, bytes, spec, tasks, mark }) {
  const module = await WebAssembly.compile(bytes);
  const pool = new Pool({ createWorker, workers: 1 });
  const task = { job: "j", index: 0, kernel: "k".repeat(64), args: spec.args, env: spec.env, stdin: "" };
  pool.prestart?.();
  await new Promise((r) => setTimeout(r, 300)); // the worker has started
  const out = [];
  for (let i = 0; i < tasks; i++) {
    await mark(i);
    const t0 = performance.now();
    const o = await pool.run(task, module);
    if (o.outcome !== "done" || o.result.status !== "ok") throw new Error(JSON.stringify(o));
    out.push(performance.now() - t0);
  }
  await mark(tasks);
  pool.stopAll();
  return out;
}`;

// ---- child (Node): one fresh process per trial ----
async function child() {
  const src = `file://${o.runtime.replace(/\/?$/, "/")}src/`;
  const node = await import(`${src}node/index.js`);
  // What createNodeVolunteer does to the process, when this runtime does it.
  node.compileWasmOptimised?.();
  const { Pool } = await import(`${src}pool.js`);
  const runTasks = new Function(
    `return (${BODY.trim().replace(/^async function runTasks/, "async function")})`,
  )();
  const cpu = [];
  const mark = () => cpu.push(threadsCpu(process.pid));
  const walls = await runTasks({
    Pool,
    createWorker: node.createNodeWorker,
    bytes: readFileSync(o.kernel),
    spec: KERNELS[kernelName(o.kernel)],
    tasks: Number(o.tasks),
    mark,
  });
  process.stdout.write(JSON.stringify({ walls, cpu }));
}

const kernelName = (file) =>
  file
    .split("/")
    .pop()
    .replace(/\.wasm$/, "");

function runNodeTrial(runtime, kernel) {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [SELF, "--child", "--runtime", runtime, "--kernel", kernel, "--tasks", o.tasks],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    p.stdout.on("data", (c) => (out += c));
    p.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}`)),
    );
  });
}

// ---- Chromium: one fresh browser per trial, CPU of its whole process tree ----
async function runBrowserTrial(runtime, kernel) {
  let browserPid = 0;
  const cpu = [];
  let done;
  const finished = new Promise((r) => (done = r));
  const page = `<!doctype html><script type="module">
const { Pool } = await import("/rt/src/pool.js");
const { createBrowserWorker } = await import("/rt/src/browser/worker-factory.js");
${BODY}
const bytes = await (await fetch("/kernel")).arrayBuffer();
const spec = ${JSON.stringify(KERNELS[kernelName(kernel)])};
const mark = (i) => fetch("/mark?i=" + i);
const walls = await runTasks({ Pool, createWorker: createBrowserWorker, bytes, spec, tasks: ${Number(o.tasks)}, mark });
await fetch("/done", { method: "POST", body: JSON.stringify(walls) });
</script>`;
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/") return res.writeHead(200, { "content-type": "text/html" }).end(page);
    if (url.pathname === "/kernel") return res.writeHead(200).end(readFileSync(kernel));
    if (url.pathname === "/mark") {
      cpu.push(treeCpuFine(browserPid, /^DedicatedWorker/));
      return res.writeHead(204).end();
    }
    if (url.pathname === "/done") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        res.writeHead(204).end();
        done(JSON.parse(body));
      });
      return;
    }
    const path = url.pathname.replace(/^\/rt\//, "");
    const file = join(runtime, path);
    if (!url.pathname.startsWith("/rt/") || path.includes("..") || !existsSync(file))
      return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const profile = mkdtempSync(join(tmpdir(), "surge-first-chromium-"));
  const b = spawn(
    CHROMIUM,
    [
      ...CHROMIUM_FLAGS,
      `--user-data-dir=${profile}`,
      `http://127.0.0.1:${server.address().port}/`,
    ],
    { stdio: "ignore", detached: true },
  );
  browserPid = b.pid;
  const exited = new Promise((r) => b.once("exit", r));
  const timeout = setTimeout(() => done(null), 120_000);
  const walls = await finished;
  clearTimeout(timeout);
  process.kill(-b.pid, "SIGKILL");
  await exited;
  server.close();
  rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  if (!walls) throw new Error("the page did not finish within 120 s");
  return { walls, cpu };
}

async function main() {
  const kernels = [join(o.kernels, "wasm", "montecarlo.wasm")];
  kernels.push(join(o.kernels, "wasm", "mandelbrot.wasm"));
  const runtimes = [["candidate", o.runtime]];
  if (o.baseline) runtimes.unshift(["baseline", o.baseline]);
  const kind = o.browser ? "chromium" : "node";
  say(`first task vs warm, ${kind}, load ${loadAverage()}`);
  const lines = [];
  for (const kernel of kernels) {
    for (const [label, dir] of runtimes) {
      const ratios = [];
      const wallRatios = [];
      const firsts = [];
      const warms = [];
      for (let t = 0; t < Number(o.trials); t++) {
        const r = o.browser ? await runBrowserTrial(dir, kernel) : await runNodeTrial(dir, kernel);
        const cpu = r.cpu.slice(1).map((c, i) => (c - r.cpu[i]) * 1000);
        const warm = median(cpu.slice(1));
        firsts.push(cpu[0]);
        warms.push(warm);
        ratios.push(cpu[0] / warm);
        wallRatios.push(r.walls[0] / median(r.walls.slice(1)));
      }
      const s = summary(ratios);
      const line =
        `${label.padEnd(9)} ${kind} ${kernelName(kernel).padEnd(18)} first task ` +
        `${round(median(firsts), 0)} ms CPU, warm ${round(median(warms), 0)} ms: ` +
        `${round(s.median, 2)}x [${round(s.min, 2)} .. ${round(s.max, 2)}] ` +
        `(wall ratio ${round(median(wallRatios), 2)}x), ${o.trials} fresh ${kind === "node" ? "processes" : "browsers"}`;
      say(line);
      lines.push(line);
    }
  }
  process.stdout.write(`${lines.join("\n")}\nload at end ${loadAverage()}\n`);
}

(o.child ? child() : main()).catch((e) => {
  process.stderr.write(`first-task: ${e.stack ?? e}\n`);
  process.exit(1);
});
