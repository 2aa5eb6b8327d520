import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runKernel } from "../src/run-kernel.js";
import { checkpointFile, progressOf, CHECKPOINT_NAME } from "../src/checkpoint-file.js";
import { CheckpointSender } from "../src/checkpoint-sender.js";
import { handleMessage } from "../src/worker.js";
import { Pool } from "../src/pool.js";
import { File } from "../src/wasi-shim.js";
import { fromBase64 } from "../src/base64.js";
import { createNodeVolunteer } from "../src/node/index.js";
import { startFakeServer, until, makeTask } from "./helpers/fake-server.js";
import { sha256 } from "./helpers/wasm.js";

const kernels = fileURLToPath(new URL("../../examples/kernels/", import.meta.url));
const text = (bytes) => new TextDecoder().decode(bytes);

// The sample kernel, built as examples/kernels/Makefile builds it.
const built = new Map();
const bytesOf = new Map();
function sample(name) {
  if (!built.has(name)) {
    const dir = mkdtempSync(join(tmpdir(), "surge-ck-"));
    try {
      const out = join(dir, `${name}.wasm`);
      execFileSync("clang", [
        "--target=wasm32-wasi",
        "-O2",
        "-ffp-contract=off",
        "-std=c11",
        "-D_POSIX_C_SOURCE=200809L",
        "-s",
        "-o",
        out,
        join(kernels, `${name}.c`),
      ]);
      bytesOf.set(name, new Uint8Array(readFileSync(out)));
      built.set(name, WebAssembly.compile(bytesOf.get(name)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return built.get(name);
}

function saving(everyMs = 0, maxBytes = 1 << 20) {
  const saves = [];
  return {
    saves,
    options: { checkpoint: { everyMs, maxBytes, onSave: (d, p) => saves.push({ d, p }) } },
  };
}

for (const [name, args] of [
  ["montecarlo", ["300000"]],
  ["mandelbrot", ["120", "90", "300"]],
]) {
  test(`${name}: saves checkpoints while it runs and a run resumed from one prints the same bytes`, async () => {
    const module = await sample(name);
    const env = { SURGE_TASK_INDEX: "1", SURGE_TASK_COUNT: "3" };
    const plain = await runKernel(module, { args, env });
    assert.equal(plain.status, "ok");
    const { saves, options } = saving(0);
    const saved = await runKernel(module, { args, env }, options);
    assert.deepEqual(saved.stdout, plain.stdout);
    assert.ok(saves.length >= 3, `only ${saves.length} checkpoints`);
    for (let i = 1; i < saves.length; i++) assert.ok(saves[i].p >= saves[i - 1].p);
    assert.ok(saves[0].p > 0 && saves.at(-1).p <= 1);
    const middle = saves[Math.floor(saves.length / 2)];
    const resumed = await runKernel(module, { args, env, checkpoint: middle.d }, saving(0).options);
    assert.equal(resumed.status, "ok");
    assert.deepEqual(resumed.stdout, plain.stdout);
    assert.match(text(resumed.stderr), /surge: resumed from checkpoint at progress 0\.\d+/);
  });
}

test("a checkpoint of other inputs is ignored and the task starts over, still right", async () => {
  const module = await sample("montecarlo");
  const { saves, options } = saving(0);
  await runKernel(module, { args: ["100000"], env: { SURGE_TASK_INDEX: "0" } }, options);
  const env = { SURGE_TASK_INDEX: "2", SURGE_TASK_COUNT: "3" };
  const plain = await runKernel(module, { args: ["100000"], env });
  const run = await runKernel(
    module,
    { args: ["100000"], env, checkpoint: saves[1].d },
    saving(0).options,
  );
  assert.deepEqual(run.stdout, plain.stdout);
  assert.match(text(run.stderr), /ignoring checkpoint .*other inputs/);
});

test("without checkpoint options the kernel sees no checkpoint file and saves nothing", async () => {
  const module = await sample("montecarlo");
  const run = await runKernel(module, {
    args: ["50000"],
    env: { SURGE_CHECKPOINT: "/surge/checkpoint", SURGE_CHECKPOINT_MS: "0" },
  });
  assert.equal(run.status, "ok");
  assert.equal(text(run.stderr), "");
});

test("the task's env cannot redirect the checkpoint file", async () => {
  const module = await sample("montecarlo");
  const { saves, options } = saving(0);
  await runKernel(
    module,
    { args: ["200000"], env: { SURGE_CHECKPOINT: "/elsewhere", SURGE_CHECKPOINT_MS: "100000" } },
    options,
  );
  assert.ok(saves.length >= 2, "the runtime's SURGE_CHECKPOINT and SURGE_CHECKPOINT_MS won");
});

function fakeRename(stdoutLength, maxBytes = 100) {
  const saves = [];
  const ck = checkpointFile(
    { everyMs: 5, maxBytes, onSave: (d, p) => saves.push({ d, p }) },
    undefined,
    stdoutLength,
  );
  const imports = { path_rename: () => 0 };
  ck.watch(imports);
  const put = (bytes) => ck.fd.dir.contents.set(CHECKPOINT_NAME, new File(bytes));
  return { ck, imports, saves, put };
}

test("a rename onto the checkpoint file is one checkpoint, with the header's progress", () => {
  const { ck, imports, saves, put } = fakeRename(() => 0);
  const data = new Uint8Array(48);
  data.set(new TextEncoder().encode("SURGECK1"));
  new DataView(data.buffer).setUint32(32, 250000, true);
  put(data);
  imports.path_rename();
  assert.equal(saves.length, 1);
  assert.equal(saves[0].p, 0.25);
  assert.deepEqual(saves[0].d, data);
  assert.notEqual(saves[0].d.buffer, data.buffer, "a copy");
  assert.deepEqual(ck.env, ["SURGE_CHECKPOINT=/surge/checkpoint", "SURGE_CHECKPOINT_MS=5"]);
  assert.equal(progressOf(new Uint8Array(10)), 0);
});

test("checkpoints saved after stdout was written, or too large, are not sent, and stderr says why", () => {
  let written = 0;
  const { ck, imports, saves, put } = fakeRename(() => written, 10);
  put(new Uint8Array(11));
  imports.path_rename();
  written = 3;
  put(new Uint8Array(5));
  imports.path_rename();
  assert.equal(saves.length, 0);
  assert.match(ck.refused(), /1 checkpoint\(s\) not sent: saved after the kernel wrote to stdout/);
  assert.match(ck.refused(), /1 checkpoint\(s\) not sent: larger than 10 bytes/);
});

test("a failed rename is no checkpoint", () => {
  const saves = [];
  const ck = checkpointFile(
    { everyMs: 5, maxBytes: 100, onSave: (d) => saves.push(d) },
    undefined,
    () => 0,
  );
  const failing = { path_rename: () => 44 };
  ck.watch(failing);
  ck.fd.dir.contents.set(CHECKPOINT_NAME, new File(new Uint8Array(4)));
  assert.equal(failing.path_rename(), 44, "the shim's errno goes back to the kernel");
  assert.equal(saves.length, 0);
});

test("the worker posts each checkpoint before the result, data in base64", async () => {
  const module = await sample("montecarlo");
  const posts = [];
  await handleMessage(
    {
      id: 7,
      module,
      task: { kernel: "k", args: ["3000000"], env: {}, stdin: "" },
      limits: { checkpointMs: 1, maxCheckpointBytes: 4096 },
    },
    (m) => posts.push(m),
  );
  const checkpoints = posts.filter((m) => m.checkpoint);
  assert.ok(checkpoints.length >= 1);
  assert.ok(posts.at(-1).result, "the result comes last");
  assert.equal(posts.at(-1).result.status, "ok");
  for (const m of checkpoints) {
    assert.equal(m.id, 7);
    assert.equal(text(fromBase64(m.checkpoint.data).subarray(0, 8)), "SURGECK1");
  }
  // And the worker resumes a task that comes with one.
  const resumed = [];
  await handleMessage(
    {
      id: 8,
      task: {
        kernel: "k",
        args: ["3000000"],
        env: {},
        stdin: "",
        checkpoint: checkpoints[0].checkpoint,
      },
      limits: { checkpointMs: 100000, maxCheckpointBytes: 4096 },
    },
    (m) => resumed.push(m),
  );
  assert.equal(resumed.at(-1).result.stdout, posts.at(-1).result.stdout);
  assert.match(text(fromBase64(resumed.at(-1).result.stderr)), /resumed from checkpoint/);
});

test("the pool hands checkpoints on and still waits for the result", async () => {
  const seen = [];
  let worker;
  const pool = new Pool({
    createWorker: (handlers) => {
      worker = { handlers, postMessage: () => {}, terminate: () => {} };
      return worker;
    },
    workers: 1,
    onCheckpoint: (task, ck) => seen.push([task.index, ck.progress]),
  });
  const outcome = pool.run({ job: "j", index: 4, kernel: "k" }, {});
  worker.handlers.onMessage({ id: 1, checkpoint: { progress: 0.5, data: "" } });
  assert.deepEqual(seen, [[4, 0.5]]);
  assert.equal(pool.running, 1);
  worker.handlers.onMessage({ id: 1, result: { status: "ok" } });
  assert.equal((await outcome).outcome, "done");
});

test("the sender keeps only the latest checkpoint of a task and sends one per interval", () => {
  let now = 0;
  const timers = [];
  const sent = [];
  const sender = new CheckpointSender({
    send: (m) => (sent.push(m), true),
    now: () => now,
    setTimer: (fn, ms) => (timers.push({ fn, at: now + ms }), timers.length),
    clearTimer: () => {},
  });
  const task = { job: "j", index: 2, lease: 9 };
  sender.offer(task, { progress: 0.1, data: "AA==" }, 1000);
  assert.equal(sent.length, 1, "the first goes at once");
  assert.deepEqual(sent[0], {
    type: "checkpoint",
    job: "j",
    index: 2,
    lease: 9,
    progress: 0.1,
    data: "AA==",
  });
  now = 100;
  sender.offer(task, { progress: 0.2, data: "AQ==" }, 1000);
  sender.offer(task, { progress: 0.3, data: "Ag==" }, 1000);
  assert.equal(sent.length, 1);
  assert.equal(timers.length, 1);
  assert.equal(timers[0].at, 1000);
  now = 1000;
  timers[0].fn();
  assert.equal(sent.length, 2);
  assert.equal(sent[1].progress, 0.3, "only the latest");
  assert.equal(sender.coalesced, 1);
  // A task that ends takes its unsent checkpoint with it.
  now = 1100;
  sender.offer(task, { progress: 0.4, data: "Aw==" }, 1000);
  sender.forget(task);
  timers[1].fn();
  assert.equal(sent.length, 2);
});

test("a volunteer sends checkpoints of running tasks while they run, and resumes a task that comes with one", async (t) => {
  await sample("montecarlo");
  const bytes = bytesOf.get("montecarlo");
  const sha = sha256(bytes);
  const server = await startFakeServer({
    kernels: { [sha]: bytes },
    welcome: { batch: 1, prefetchBelow: 0, checkpointMs: 20, maxCheckpointBytes: 4096 },
  });
  const volunteer = createNodeVolunteer({ server: server.url, workers: 1, key: "k-test" });
  t.after(async () => {
    await volunteer.stop();
    await server.close();
  });
  volunteer.start();
  await until(() => server.sent("request").length === 1, "request");
  const task = makeTask(sha, 3, { args: ["40000000"] });
  server.send({ type: "tasks", tasks: [task] });
  await until(() => server.sent("results").length === 1, "result", 60_000);
  const checkpoints = server.sent("checkpoint");
  assert.ok(checkpoints.length >= 2, `${checkpoints.length} checkpoints`);
  for (const c of checkpoints) {
    assert.deepEqual([c.job, c.index, c.lease], [task.job, task.index, task.lease]);
    assert.ok(c.progress > 0 && c.progress <= 1);
  }
  const [first] = server.sent("results")[0].results;
  assert.equal(first.status, "ok");
  // The same task again, handed out with a checkpoint (as the server does after a requeue).
  const middle = checkpoints[Math.floor(checkpoints.length / 2)];
  await until(() => server.sent("request").length === 2, "second request");
  const again = {
    ...makeTask(sha, 3, { args: ["40000000"] }),
    checkpoint: { progress: middle.progress, data: middle.data },
  };
  server.send({ type: "tasks", tasks: [again] });
  await until(() => server.sent("results").length === 2, "second result", 60_000);
  const [second] = server.sent("results")[1].results;
  assert.equal(second.stdout, first.stdout, "the resumed run's output is the same bytes");
  assert.match(text(fromBase64(second.stderr)), /resumed from checkpoint/);
  assert.deepEqual(server.invalid, []);
});

test("with checkpoints: false the volunteer gives kernels no checkpoint file", async (t) => {
  await sample("montecarlo");
  const bytes = bytesOf.get("montecarlo");
  const sha = sha256(bytes);
  const server = await startFakeServer({
    kernels: { [sha]: bytes },
    welcome: { batch: 1, prefetchBelow: 0, checkpointMs: 1, maxCheckpointBytes: 4096 },
  });
  const volunteer = createNodeVolunteer({
    server: server.url,
    workers: 1,
    key: "k-test",
    checkpoints: false,
  });
  t.after(async () => {
    await volunteer.stop();
    await server.close();
  });
  volunteer.start();
  await until(() => server.sent("request").length === 1, "request");
  server.send({ type: "tasks", tasks: [makeTask(sha, 0, { args: ["3000000"] })] });
  await until(() => server.sent("results").length === 1, "result", 60_000);
  assert.equal(server.sent("checkpoint").length, 0);
});
