import { test } from "node:test";
import assert from "node:assert/strict";
import { Pool } from "../src/pool.js";
import { createNodeWorker } from "../src/node/worker-factory.js";
import { wasmModule } from "./helpers/wasm.js";

const KERNEL = "a".repeat(64);
const task = (index, extra = {}) => ({
  job: "j-1",
  index,
  lease: 100 + index,
  kernel: KERNEL,
  args: [],
  env: {},
  stdin: "",
  ...extra,
});
const waitFor = async (condition, ms = 5000) => {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
};

test("runs tasks on worker threads and returns base64 output", async (t) => {
  const pool = new Pool({ createWorker: createNodeWorker, workers: 2 });
  t.after(() => pool.stopAll());
  const module = await wasmModule("echo");
  const outcomes = await Promise.all(
    [0, 1, 2, 3, 4].map((i) => pool.run(task(i, { stdin: btoa(`task ${i}`) }), module)),
  );
  outcomes.forEach((o, i) => {
    assert.equal(o.outcome, "done");
    assert.equal(o.result.status, "ok");
    assert.equal(atob(o.result.stdout), `task ${i}`);
  });
  assert.equal(pool.running + pool.queued, 0);
});

test("prestart starts every worker once, and tasks run on those workers", async (t) => {
  const made = [];
  const createWorker = (handlers) => {
    const worker = createNodeWorker(handlers);
    made.push(worker);
    return worker;
  };
  const pool = new Pool({ createWorker, workers: 2 });
  t.after(() => pool.stopAll());
  pool.prestart();
  assert.equal(made.length, 2);
  pool.prestart();
  assert.equal(made.length, 2, "no worker beyond the pool's size");
  const module = await wasmModule("echo");
  const outcomes = await Promise.all([0, 1, 2].map((i) => pool.run(task(i), module)));
  assert.deepEqual(
    outcomes.map((o) => o.outcome),
    ["done", "done", "done"],
  );
  assert.equal(made.length, 2, "the prestarted workers ran the tasks");
});

test("runs at most `workers` tasks at once and queues the rest", async (t) => {
  const pool = new Pool({ createWorker: createNodeWorker, workers: 2 });
  t.after(() => pool.stopAll());
  const loop = await wasmModule("loop");
  [0, 1, 2].forEach((i) => pool.run(task(i), loop));
  assert.equal(pool.running, 2);
  assert.equal(pool.queued, 1);
});

test("cancel terminates the worker running a task and a new worker takes the next task", async (t) => {
  const pool = new Pool({ createWorker: createNodeWorker, workers: 1 });
  t.after(() => pool.stopAll());
  const spinning = pool.run(task(0), await wasmModule("loop"));
  const next = pool.run(task(1), await wasmModule("hello"));
  await new Promise((r) => setTimeout(r, 100)); // let the loop start spinning
  assert.equal(pool.cancel("j-1", 0), true);
  assert.deepEqual(await spinning, { outcome: "cancelled" });
  const done = await next;
  assert.equal(done.outcome, "done");
  assert.equal(done.result.exitCode, 3);
  assert.equal(pool.cancel("j-1", 0), false, "a task is cancelled once");
});

test("cancel drops a queued task without running it", async (t) => {
  const messages = [];
  const pool = new Pool({ createWorker: fakeFactory(messages, () => {}), workers: 1 });
  t.after(() => pool.stopAll());
  pool.run(task(0), {});
  const queued = pool.run(task(1), {});
  assert.equal(pool.cancel("j-1", 1), true);
  assert.deepEqual(await queued, { outcome: "cancelled" });
  assert.equal(pool.queued, 0);
  // Task 1 waited inside the worker (CPU level 100); the worker is told to drop it.
  assert.deepEqual(
    messages.map((m) => (m.drop !== undefined ? `drop ${m.drop}` : `run ${m.task.index}`)),
    ["run 0", "run 1", `drop ${messages[1].id}`],
  );
});

test("at CPU level 100 a busy worker is sent the next task to start as soon as its own ends", async (t) => {
  const messages = [];
  const handles = [];
  const pool = new Pool({ createWorker: fakeFactory(messages, () => {}, [], handles), workers: 1 });
  t.after(() => pool.stopAll());
  const first = pool.run(task(0), {});
  const second = pool.run(task(1), {});
  pool.run(task(2), {});
  assert.deepEqual(
    messages.map((m) => m.task.index),
    [0, 1],
    "one task runs, one waits in the worker, the third waits in the pool",
  );
  assert.equal(pool.running, 1);
  assert.equal(pool.queued, 2);
  handles[0].replyTo(messages[0].id, { status: "ok" });
  assert.equal((await first).outcome, "done");
  assert.deepEqual(
    messages.map((m) => m.task.index),
    [0, 1, 2],
    "task 1 runs in the worker now; task 2 goes behind it",
  );
  handles[0].replyTo(messages[1].id, { status: "ok" });
  assert.equal((await second).outcome, "done");
});

test("below CPU level 100 a worker gets its next task only after resting", async (t) => {
  const messages = [];
  const pool = new Pool({ createWorker: fakeFactory(messages, () => {}), workers: 1, cpu: 50 });
  t.after(() => pool.stopAll());
  pool.run(task(0), {});
  pool.run(task(1), {});
  assert.deepEqual(
    messages.map((m) => m.task.index),
    [0],
  );
});

test("a free worker takes a task that waits behind another worker's running task", async (t) => {
  const messages = [];
  const handles = [];
  const pool = new Pool({ createWorker: fakeFactory(messages, () => {}, [], handles), workers: 2 });
  t.after(() => pool.stopAll());
  [0, 1, 2].forEach((i) => pool.run(task(i), {}));
  const behind = messages.find((m) => m.task?.index === 2);
  handles[1].replyTo(messages.find((m) => m.task?.index === 1).id, { status: "ok" });
  await new Promise((r) => setImmediate(r));
  const where = (h) =>
    h.posted.map((m) => (m.drop !== undefined ? `drop ${m.drop}` : `run ${m.task.index}`));
  assert.deepEqual(where(handles[0]), ["run 0", "run 2", `drop ${behind.id}`]);
  assert.deepEqual(where(handles[1]), ["run 1", "run 2"]);
  assert.equal(pool.running, 2);
  assert.equal(pool.queued, 0);
});

test("stopAll returns the running and queued tasks and terminates the workers", async () => {
  const terminated = [];
  const pool = new Pool({
    createWorker: fakeFactory([], () => {}, terminated),
    workers: 2,
  });
  const outcomes = [0, 1, 2, 3].map((i) => pool.run(task(i), {}));
  const held = pool.stopAll();
  assert.deepEqual(held.map((t) => t.index).sort(), [0, 1, 2, 3]);
  assert.equal(terminated.length, 2);
  for (const o of await Promise.all(outcomes)) assert.equal(o.outcome, "stopped");
  assert.equal(pool.running + pool.queued, 0);
});

test("a worker that dies reports worker-crashed for its task and is replaced", async () => {
  const handles = [];
  const pool = new Pool({ createWorker: fakeFactory([], () => {}, [], handles), workers: 1 });
  const first = pool.run(task(0), {});
  const second = pool.run(task(1), {});
  handles[0].fail(new Error("out of memory"));
  const crashed = await first;
  assert.equal(crashed.outcome, "crashed");
  assert.equal(crashed.error.message, "out of memory");
  assert.equal(handles.length, 2, "a new worker was started for the queued task");
  handles[1].reply({ status: "ok", exitCode: 0, stdout: "", stderr: "", millis: 1 });
  assert.equal((await second).outcome, "done");
});

test("a compiled module is posted to a worker only with its first task of that kernel", async () => {
  const messages = [];
  const handles = [];
  const pool = new Pool({ createWorker: fakeFactory(messages, () => {}, [], handles), workers: 1 });
  const module = { fake: "module" };
  for (const i of [0, 1]) {
    const done = pool.run(task(i), module);
    handles[0].reply({ status: "ok", exitCode: 0, stdout: "", stderr: "", millis: 1 });
    await done;
  }
  assert.equal(messages[0].module, module);
  assert.equal(messages[1].module, undefined);
});

test("when no worker can be started the task is reported crashed, not lost", async () => {
  const pool = new Pool({
    createWorker: () => {
      throw new Error("workers are disabled");
    },
    workers: 2,
  });
  const outcome = await pool.run(task(0), {});
  assert.equal(outcome.outcome, "crashed");
  assert.match(outcome.error.message, /disabled/);
});

test("the worker count follows the options and the cap", () => {
  const factory = fakeFactory([], () => {});
  assert.equal(new Pool({ createWorker: factory, workers: 8, maxWorkers: 3 }).size, 3);
  assert.equal(new Pool({ createWorker: factory, workers: 0 }).size, 1);
});

test("a real worker survives a trapping kernel and keeps working", async (t) => {
  const pool = new Pool({ createWorker: createNodeWorker, workers: 1 });
  t.after(() => pool.stopAll());
  const trapped = await pool.run(task(0), await wasmModule("trap"));
  assert.equal(trapped.result.status, "trap");
  const next = await pool.run(task(1, { kernel: "b".repeat(64) }), await wasmModule("hello"));
  assert.equal(next.result.exitCode, 3);
  await waitFor(() => pool.running === 0);
});

// A worker factory without threads: records posted messages; tests answer or fail by hand.
function fakeFactory(messages, onPost, terminated = [], handles = []) {
  return ({ onMessage, onError }) => {
    let last = null;
    const handle = {
      posted: [],
      postMessage: (m) => {
        if (m.drop === undefined) last = m;
        handle.posted.push(m);
        messages.push(m);
        onPost(m);
      },
      replyTo: (id, result) => onMessage({ id, result }),
      terminate: () => terminated.push(handle),
      reply: (result) => onMessage({ id: last.id, result }),
      fail: (error) => onError(error),
    };
    handles.push(handle);
    return handle;
  };
}
