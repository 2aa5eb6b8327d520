#!/usr/bin/env node
// Measurement half of bench/efficiency.sh (which starts the server): parallel efficiency of the
// sample jobs through volunteers against the native builds on the same cores, a per-task breakdown
// (kernel ms the runtime reports against the wall time per task), and a fresh volunteer's first
// task against its warm ones.
//
//   node bench/efficiency.mjs --server URL --runtime DIR --kernels DIR [--volunteers N] [--workers W]
//        [--runs R] [--jobs pi720,pi72,mandel] [--browser] [--verify none] [--warmup 1]
//        [--first-jobs pi72,mandel] [--config F] --out F
//
// It spawns the volunteers itself (Node processes running bench/lib/traced-volunteer.mjs, or
// headless Chromium pages with --browser) and stops them by pid at the end.

import { parseArgs } from "node:util";
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api, waitForEnd, millisBetween, epochMillis } from "./lib/api.mjs";
import { loadAverage, processCpu, treeCpu, threadCpu, diffGroups, round } from "./lib/proc.mjs";
import { summary, median } from "./lib/stats.mjs";
import { analyseRun, firstTask, warmByIndex } from "./lib/task-trace.mjs";

const say = (line) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const BENCH = fileURLToPath(new URL(".", import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// The flags every Surge test and benchmark starts Chromium with: one list, shared with the Java ITs.
const CHROMIUM_FLAGS = JSON.parse(
  readFileSync(
    new URL("../test-support/src/main/resources/surge/testing/chromium-flags.json", import.meta.url),
    "utf8",
  ),
).flags;

const { values: o } = parseArgs({
  options: {
    server: { type: "string" },
    "server-pid": { type: "string" },
    runtime: { type: "string" },
    "baseline-runtime": { type: "string" },
    kernels: { type: "string" },
    volunteers: { type: "string", default: "2" },
    workers: { type: "string", default: "1" },
    runs: { type: "string", default: "3" },
    jobs: { type: "string", default: "pi720,pi72,mandel" },
    "first-jobs": { type: "string", default: "pi72,mandel" },
    browser: { type: "boolean", default: false },
    verify: { type: "string", default: "none" },
    warmup: { type: "string", default: "1" },
    "server-warmup": { type: "string", default: "20000" },
    config: { type: "string" },
    out: { type: "string" },
  },
});
const int = (name, min = 0) => {
  const v = Number(o[name]);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`--${name} must be a whole number of at least ${min}, got '${o[name]}'`);
  return v;
};
const volunteers = int("volunteers", 1);
const workers = int("workers", 1);
const runs = int("runs", 1);
const cores = volunteers * workers;

/** The sample jobs of examples/jobs at the issue's sizes, with their native whole-job commands. */
const JOBS = {
  pi720: {
    kernel: "montecarlo",
    tasks: 720,
    args: ["2000000"],
    merge: { kind: "sum" },
    native: ["montecarlo-whole", "720", "2000000"],
    uniform: true,
    warmup: { tasks: 4, args: ["2000000"] },
  },
  pi72: {
    kernel: "montecarlo",
    tasks: 72,
    args: ["20000000"],
    merge: { kind: "sum" },
    native: ["montecarlo-whole", "72", "20000000"],
    uniform: true,
    warmup: { tasks: 4, args: ["2000000"] },
  },
  // Not measured: warms the server's JIT up with many short tasks before the measured jobs.
  noop: { kernel: "noop", tasks: 1, args: [], merge: { kind: "concat" } },
  mandel: {
    kernel: "mandelbrot",
    tasks: 60,
    args: ["4000", "3000"],
    merge: { kind: "concat" },
    native: ["mandelbrot-whole", "60", "4000", "3000"],
    warmup: { tasks: 60, args: ["400", "300"] },
  },
};
const pick = (list) =>
  list
    .split(",")
    .filter(Boolean)
    .map((name) => {
      if (!JOBS[name]) throw new Error(`unknown job '${name}': one of ${Object.keys(JOBS)}`);
      return name;
    });

// ---- native ----

function runNative(job) {
  const [exe, ...args] = JOBS[job].native;
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", join(o.kernels, "native", exe), ...args], {
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`native ${exe} failed: ${r.stderr}`);
  const [user, sys] = r.stderr.toString().trim().split("\n").pop().split(" ").map(Number);
  return { ms, cpuMs: (user + sys) * 1000, out: r.stdout };
}

/** CPU seconds of the server and of every volunteer (a Chromium with all its helpers). */
function cpuNow() {
  const volunteers = children.reduce((a, c) => a + safe(() => treeCpu(c.pid)), 0);
  const server = o["server-pid"] ? safe(() => processCpu(Number(o["server-pid"]))) : 0;
  const serverThreads = o["server-pid"] ? safe(() => threadCpu(Number(o["server-pid"]))) : {};
  return { volunteers, server, serverThreads };
}
const safe = (fn) => {
  try {
    return fn();
  } catch {
    return 0;
  }
};

// ---- trace collector, and the page for browser volunteers ----

const events = []; // every finished task of every volunteer: {volunteer, job, index, millis, doneAt}
const PAGE = `<!doctype html><title>surge efficiency</title><script type="module">
const p = new URLSearchParams(location.search);
const { createBrowserVolunteer } = await import(\`/rt/\${p.get("runtime")}/src/browser/index.js\`);
const events = [];
const v = createBrowserVolunteer({
  server: p.get("server"), key: p.get("key"), workers: Number(p.get("workers")), cpu: 100,
  agent: "surge-volunteer/0.1 chromium bench",
  onTaskDone: ({ job, index, status, millis }) =>
    events.push({ job, index, status, millis, doneAt: performance.timeOrigin + performance.now() }),
});
setInterval(() => {
  if (events.length === 0) return;
  fetch("/trace", { method: "POST", body: JSON.stringify({ volunteer: p.get("name"), events: events.splice(0) }) });
}, 100);
v.start();
</script>`;

function startCollector(runtimes) {
  const server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/trace") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        try {
          const { volunteer, events: list } = JSON.parse(body);
          for (const e of list) events.push({ volunteer, ...e });
        } catch {
          // A half-sent trace at shutdown.
        }
        res.writeHead(204).end();
      });
      return;
    }
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
      return;
    }
    const m = /^\/rt\/([a-z]+)\/(.*)$/.exec(url.pathname);
    const runtime = m && runtimes.find((rt) => rt.label === m[1]);
    const file = runtime && join(runtime.dir, m[2]);
    if (!file || m[2].includes("..") || !/^(src|node_modules)\//.test(m[2]) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, port: server.address().port })),
  );
}

// ---- volunteers ----

const children = [];

function spawnVolunteer(runtime, name, collectorPort) {
  if (o.browser) {
    const profile = mkdtempSync(join(tmpdir(), "surge-eff-chromium-"));
    const page = new URL(`http://127.0.0.1:${collectorPort}/`);
    page.searchParams.set("server", o.server);
    page.searchParams.set("key", process.env.SURGE_VOLUNTEER_KEY);
    page.searchParams.set("workers", String(workers));
    page.searchParams.set("name", name);
    page.searchParams.set("runtime", runtime.label);
    const child = spawn(
      CHROMIUM,
      [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${profile}`,
        page.href,
      ],
      { stdio: "ignore", detached: true },
    );
    const exited = new Promise((r) => child.once("exit", r));
    children.push({
      name,
      pid: child.pid,
      stop: async () => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
        await exited;
        rmSync(profile, {
          recursive: true,
          force: true,
          maxRetries: 10,
          retryDelay: 100,
        });
      },
    });
    return;
  }
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_VOLUNTEER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them
      ...(process.env.BENCH_VOLUNTEER_NODE_ARGS ?? "").split(" ").filter(Boolean),
      join(BENCH, "lib/traced-volunteer.mjs"),
      "--runtime",
      runtime.dir,
      "--server",
      o.server,
      "--workers",
      String(workers),
      "--collector",
      `http://127.0.0.1:${collectorPort}/trace`,
      "--name",
      name,
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  const exited = new Promise((r) => child.once("exit", r));
  children.push({
    name,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  });
}

/** Stops every volunteer and, given the API, waits until the server has seen them go. */
async function stopVolunteers(api) {
  await Promise.all(children.splice(0).map((c) => c.stop()));
  for (let i = 0; api && i < 100; i++) {
    if (((await api.health().catch(() => ({}))).volunteers ?? 0) === 0) return;
    await sleep(100);
  }
}

async function waitForVolunteers(api, expected, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  while (Date.now() < deadline) {
    seen = (await api.health().catch(() => ({}))).volunteers ?? -1;
    if (seen >= expected) return;
    await sleep(100);
  }
  throw new Error(`only ${seen} of ${expected} volunteers connected within ${timeoutMs / 1000} s`);
}

// ---- jobs ----

const kernelShas = {};
async function upload(api, name) {
  if (kernelShas[name]) return kernelShas[name];
  const dir = join(o.kernels, "wasm");
  const bytes = readFileSync(join(dir, `${name}.wasm`));
  const sha = createHash("sha256").update(bytes).digest("hex");
  await api.uploadKernel(bytes);
  return (kernelShas[name] = sha);
}

async function runJob(api, name, { tasks, args } = {}) {
  const j = JOBS[name];
  const spec = {
    name: `efficiency-${name}`,
    kernel: await upload(api, j.kernel),
    tasks: tasks ?? j.tasks,
    args: args ?? j.args,
    merge: j.merge,
    verify: o.verify,
  };
  const t0 = performance.timeOrigin + performance.now();
  const { id } = await api.submit(spec);
  // Polled slowly: every status call costs the server CPU on the cores being measured. The
  // makespan comes from the server's own createdAt and finishedAt instead.
  const end = await waitForEnd(api, id, { pollMs: 100, timeoutMs: 600_000 });
  const t1 = performance.timeOrigin + performance.now();
  if (end.status.state !== "SUCCEEDED")
    throw new Error(`job ${id} ended ${end.status.state}: ${JSON.stringify(end.status.error)}`);
  await sleep(300); // the last trace POSTs
  const serverMs =
    end.status.createdAt && end.status.finishedAt
      ? millisBetween(end.status.createdAt, end.status.finishedAt)
      : null;
  // Trace events are epoch ms on this machine's clock, as the server's instants are.
  const t0s = end.status.createdAt ? epochMillis(end.status.createdAt) : t0;
  const t1s = end.status.finishedAt ? epochMillis(end.status.finishedAt) : t1;
  return {
    id,
    t0: t0s,
    t1: t1s,
    makespanMs: serverMs ?? t1 - t0,
    clientMs: t1 - t0,
    serverMs,
    status: end.status,
  };
}

async function main() {
  const api = new Api(o.server);
  const config = o.config ? JSON.parse(readFileSync(o.config, "utf8")) : {};
  const jobs = pick(o.jobs);
  const firstJobs = pick(o["first-jobs"]);
  if (o.browser && !existsSync(CHROMIUM)) throw new Error(`--browser: no Chromium at ${CHROMIUM}`);

  // 1. Native, before any volunteer competes for the cores.
  const native = {};
  for (const job of new Set([...jobs, ...firstJobs])) {
    const samples = [];
    const cpu = [];
    let out;
    for (let r = 0; r < runs; r++) {
      const n = runNative(job);
      samples.push(n.ms);
      cpu.push(n.cpuMs);
      out = n.out;
    }
    native[job] = {
      ms: summary(samples),
      cpuMs: summary(cpu),
      samples,
      sha256: createHash("sha256").update(out).digest("hex"),
    };
    say(`native ${job}: median ${round(native[job].ms.median, 0)} ms over ${runs} runs`);
  }

  // 2. The volunteers: per block, each runtime in turn (the baseline first when there is one),
  // each with fresh volunteers, a warm-up job per kernel and then each job once.
  const runtimes = [{ label: "candidate", dir: o.runtime }];
  if (o["baseline-runtime"]) runtimes.unshift({ label: "baseline", dir: o["baseline-runtime"] });
  const { server: collector, port } = await startCollector(runtimes);
  const kind = o.browser ? "chromium" : "node";
  const check = async (job, run) => {
    const bytes = await api.result(run.id);
    const sha = createHash("sha256").update(bytes).digest("hex");
    if (sha !== native[job].sha256)
      throw new Error(`job ${job} (${run.id}): the merged result differs from the native output`);
  };
  const measured = Object.fromEntries(
    runtimes.map((rt) => [rt.label, Object.fromEntries(jobs.map((j) => [j, []]))]),
  );
  for (let r = 0; r < runs; r++) {
    for (const rt of runtimes) {
      // Native again, just before this block, so that the wall-clock ratio compares times taken
      // under the same load (other users of the machine come and go).
      const nativeNow = {};
      for (const job of jobs) nativeNow[job] = runNative(job).ms;
      for (let i = 0; i < volunteers; i++)
        spawnVolunteer(rt, `${kind}-${rt.label}-${r}-${i}`, port);
      await waitForVolunteers(api, volunteers);
      if (int("server-warmup") > 0 && r === 0 && rt === runtimes[0])
        await runJob(api, "noop", { tasks: int("server-warmup") });
      if (int("warmup") > 0) for (const job of jobs) await runJob(api, job, JOBS[job].warmup);
      for (const job of jobs) {
        const load = loadAverage();
        const cpu0 = cpuNow();
        const run = await runJob(api, job);
        const cpu1 = cpuNow();
        // Load-independent: the CPU the volunteers and the server spent against native's.
        const cpu = {
          volunteerMs: (cpu1.volunteers - cpu0.volunteers) * 1000,
          serverMs: (cpu1.server - cpu0.server) * 1000,
          serverThreads: diffGroups(cpu1.serverThreads || {}, cpu0.serverThreads || {}),
        };
        cpu.efficiency = native[job].cpuMs.median / (cpu.volunteerMs + cpu.serverMs);
        cpu.volunteerEfficiency = native[job].cpuMs.median / cpu.volunteerMs;
        await check(job, run);
        const trace = analyseRun(events, run, cores);
        const eff = nativeNow[job] / (cores * run.makespanMs);
        measured[rt.label][job].push({
          ...run,
          nativeMs: nativeNow[job],
          status: undefined,
          load,
          efficiency: eff,
          cpu,
          trace,
        });
        say(
          `${rt.label} ${job} run ${r + 1}: ${round(run.makespanMs, 0)} ms, efficiency ${round(eff, 2)}, ` +
            `CPU efficiency ${round(cpu.efficiency, 2)} (volunteers only ${round(cpu.volunteerEfficiency, 2)}); ` +
            `kernel ${round(trace.kernelMsPerTask, 1)} ms/task, ${round(trace.overheadMsPerTask, 1)} ms/task outside it; load ${load}`,
        );
      }
      await stopVolunteers(api);
    }
  }

  // 3. First task of fresh volunteers against the same task warm, one job at a time.
  const first = Object.fromEntries(runtimes.map((rt) => [rt.label, {}]));
  for (const job of firstJobs) {
    for (const rt of runtimes) {
      for (let i = 0; i < volunteers; i++)
        spawnVolunteer(rt, `${kind}-${rt.label}-fresh-${job}-${i}`, port);
      await waitForVolunteers(api, volunteers);
      const run = await runJob(api, job);
      await check(job, run);
      // Tasks of equal cost: against the volunteer's later tasks of the same run (same load);
      // Mandelbrot's bands differ, so against the same band in the warm runs.
      const warm = JOBS[job].uniform
        ? undefined
        : warmByIndex(events, measured[rt.label][job] ?? []);
      const f = firstTask(events, run, warm);
      first[rt.label][job] = f;
      say(
        `${rt.label} ${job} fresh volunteers: first task ${round(f.firstMs.median, 1)} ms, ` +
          `warm ${round(f.warmMs.median, 1)} ms, ratio ${round(f.ratio.median, 2)}`,
      );
      await stopVolunteers(api);
    }
  }
  collector.close();

  const figures = {};
  for (const rt of runtimes) {
    figures[rt.label] = {};
    for (const job of jobs) {
      const m = measured[rt.label][job];
      const s = (f) => summary(m.map(f));
      figures[rt.label][job] = {
        nativeMs: s((r) => r.nativeMs),
        makespanMs: s((r) => r.makespanMs),
        efficiency: s((r) => r.efficiency),
        cpuEfficiency: s((r) => r.cpu.efficiency),
        volunteerCpuEfficiency: s((r) => r.cpu.volunteerEfficiency),
        volunteerCpuMsPerTask: s((r) => r.cpu.volunteerMs / JOBS[job].tasks),
        serverCpuMsPerTask: s((r) => r.cpu.serverMs / JOBS[job].tasks),
        nativeCpuMs: native[job].cpuMs,
        kernelShare: s((r) => r.trace.kernelShare),
        kernelMsPerTask: s((r) => r.trace.kernelMsPerTask),
        overheadMsPerTask: s((r) => r.trace.overheadMsPerTask),
        startMs: s((r) => r.trace.startMs),
        tailMs: s((r) => r.trace.tailMs),
        nativeMsPerTask: native[job].ms.median / JOBS[job].tasks,
        serverThreadsLastRun: m.at(-1)?.cpu.serverThreads ?? {},
      };
    }
  }
  const result = {
    benchmark: "efficiency",
    finishedAt: new Date().toISOString(),
    config: {
      ...config,
      volunteers,
      workers,
      cores,
      runs,
      kind,
      verify: o.verify,
      jobs,
      runtimes,
      loadAtEnd: loadAverage(),
    },
    figures,
    firstTask: first,
    native,
    runs: measured,
  };
  if (o.out) writeFileSync(o.out, JSON.stringify(result, null, 2));
  printTable(result);
}

function printTable(r) {
  const n = (x, d = 0) => (Number.isFinite(x) ? round(x, d).toLocaleString("en-US") : "-");
  const row = (label, s, d = 0) =>
    `  ${label.padEnd(40)} ${n(s.median, d).padStart(9)}   [${n(s.min, d)} .. ${n(s.max, d)}]`;
  const c = r.config;
  const lines = [
    `Surge efficiency: ${c.volunteers} ${c.kind} volunteers x ${c.workers} workers (${c.cores} cores), ` +
      `verify=${c.verify}, ${c.runs} runs, load ${c.machine?.loadAtStart?.[0] ?? "?"} at start, ${c.loadAtEnd} at end`,
  ];
  for (const [label, jobs] of Object.entries(r.figures)) {
    for (const [job, f] of Object.entries(jobs)) {
      lines.push(`${label} ${job}:`);
      lines.push(row("native, one core, ms", f.nativeMs));
      lines.push(row("volunteers makespan (submit -> done), ms", f.makespanMs));
      lines.push(row("parallel efficiency", f.efficiency, 2));
      lines.push(row("native CPU / (volunteers + server) CPU", f.cpuEfficiency, 2));
      lines.push(row("native CPU / volunteers' CPU", f.volunteerCpuEfficiency, 2));
      lines.push(row("volunteer CPU ms per task", f.volunteerCpuMsPerTask, 1));
      lines.push(row("server CPU ms per task", f.serverCpuMsPerTask, 1));
      const threads = Object.entries(f.serverThreadsLastRun ?? {}).slice(0, 6);
      if (threads.length)
        lines.push(`  server CPU s by thread (last run): ${threads.map(([k, v]) => `${k} ${v}`).join(", ")}`);
      lines.push(row("kernel time / (cores x makespan)", f.kernelShare, 2));
      lines.push(
        row(`kernel ms per task (native ${n(f.nativeMsPerTask, 1)})`, f.kernelMsPerTask, 1),
      );
      lines.push(row("ms per task outside the kernel", f.overheadMsPerTask, 1));
      lines.push(row("submit -> first task done, ms", f.startMs));
      lines.push(row("last task done -> job done, ms", f.tailMs));
    }
  }
  for (const [label, jobs] of Object.entries(r.firstTask)) {
    for (const [job, f] of Object.entries(jobs)) {
      lines.push(
        `${label} ${job} first task of a fresh volunteer: ${n(f.firstMs.median, 1)} ms against ` +
          `${n(f.warmMs.median, 1)} ms warm: ${n(f.ratio.median, 2)}x ` +
          `[${n(f.ratio.min, 2)} .. ${n(f.ratio.max, 2)}] over ${f.ratio.n} volunteers`,
      );
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

main()
  .catch((e) => {
    say(`failed: ${e.stack ?? e}`);
    process.exitCode = 1;
  })
  .finally(() => stopVolunteers().then(() => process.exit()));
