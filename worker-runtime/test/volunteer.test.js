import { test } from "node:test";
import assert from "node:assert/strict";
import { createNodeVolunteer } from "../src/node/index.js";
import { consentTokenProvider } from "../src/consent.js";
import { startFakeServer, until, makeTask } from "./helpers/fake-server.js";
import { wasmBytes, sha256 } from "./helpers/wasm.js";

const HELLO = wasmBytes("hello");
const ECHO = wasmBytes("echo");
const LOOP = wasmBytes("loop");
const K = { hello: sha256(HELLO), echo: sha256(ECHO), loop: sha256(LOOP) };
const KERNELS = { [K.hello]: HELLO, [K.echo]: ECHO, [K.loop]: LOOP };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A fake server and a started volunteer, both cleaned up after the test. */
async function setup(t, { server: serverOptions = {}, ...volunteerOptions } = {}) {
  const server = await startFakeServer({ kernels: KERNELS, ...serverOptions });
  const states = [];
  const warnings = [];
  const volunteer = createNodeVolunteer({
    server: server.url,
    workers: 2,
    getToken: consentTokenProvider(server.url, { site: "test", revision: 1, cpu: 100 }),
    onStateChange: (d) => states.push(d),
    onWarning: (w) => warnings.push(w.message),
    ...volunteerOptions,
  });
  t.after(async () => {
    await volunteer.stop();
    await server.close();
  });
  volunteer.start();
  await until(() => volunteer.state === "connected", "welcome");
  return { server, volunteer, states, warnings };
}

const allResults = (server, conn) => server.sent("results", conn).flatMap((m) => m.results);

test("hello carries the consent token and worker count, and welcome connects", async (t) => {
  const { server, volunteer, states } = await setup(t);
  const [hello] = server.sent("hello");
  assert.equal(hello.protocol, 1);
  assert.equal(hello.token, "token-1");
  assert.equal(hello.workers, 2);
  assert.ok(hello.features.includes("wasi_snapshot_preview1"));
  assert.equal(server.connections[0].messages[0].type, "hello", "hello comes first");
  assert.deepEqual(server.consents, [{ site: "test", revision: 1, cpu: 100 }]);
  assert.deepEqual(
    states.map((s) => s.state),
    ["connecting", "connected"],
  );
  assert.equal(volunteer.stats.session, "v-test");
  assert.deepEqual(server.invalid, []);
});

test("batch mode (prefetchBelow 0) asks for a batch only when it holds nothing", async (t) => {
  const { server } = await setup(t, { server: { welcome: { batch: 4, prefetchBelow: 0 } } });
  await until(() => server.sent("request").length === 1, "first request");
  assert.equal(server.sent("request")[0].count, 4);
  await sleep(50);
  assert.equal(server.sent("request").length, 1, "no new request while the demand is open");
  server.send({ type: "tasks", tasks: [0, 1, 2, 3].map((i) => makeTask(K.hello, i)) });
  await until(() => allResults(server).length === 4, "4 results");
  await until(() => server.sent("request").length === 2, "second request");
  assert.equal(server.sent("request")[1].count, 4);
});

test("asynchronous mode asks again when fewer than prefetchBelow tasks wait to start", async (t) => {
  const { server, volunteer } = await setup(t, {
    server: { welcome: { batch: 4, prefetchBelow: 2 } },
  });
  await until(() => server.sent("request").length === 1, "first request");
  server.send({ type: "tasks", tasks: [0, 1, 2, 3].map((i) => makeTask(K.loop, i)) });
  await until(() => volunteer.stats.running === 2 && volunteer.stats.queued === 2, "4 held");
  await sleep(30);
  assert.equal(server.sent("request").length, 1, "2 waiting to start is not below 2");
  server.send({ type: "cancel", tasks: [{ job: "j-1", index: 3 }], reason: "test" });
  await until(() => server.sent("request").length === 2, "request at 1 waiting");
  assert.equal(server.sent("request")[1].count, 4);
  assert.equal(volunteer.stats.running, 2, "asked while both workers still run");
});

test("a worker's next batch is asked for while it runs its last task, not after", async (t) => {
  const { server, volunteer } = await setup(t, {
    workers: 1,
    server: { welcome: { batch: 2, prefetchBelow: 1 } },
  });
  await until(() => server.sent("request").length === 1, "first request");
  server.send({ type: "tasks", tasks: [0, 1].map((i) => makeTask(K.loop, i)) });
  await until(() => volunteer.stats.running === 1 && volunteer.stats.queued === 1, "2 held");
  await sleep(30);
  assert.equal(server.sent("request").length, 1, "one task still waits to start");
  // The running task ends (cancelled here); the last one starts, and the next batch is asked for.
  server.send({ type: "cancel", tasks: [{ job: "j-1", index: 0 }], reason: "test" });
  await until(() => server.sent("request").length === 2, "request while the last task runs");
  assert.equal(volunteer.stats.running, 1);
  assert.equal(volunteer.stats.queued, 0);
});

test("results arrive batched, with the lease and the kernel's output", async (t) => {
  const { server, volunteer } = await setup(t, {
    server: { welcome: { batch: 16, prefetchBelow: 0 } },
    resultFlushMs: 50,
  });
  const tasks = Array.from({ length: 16 }, (_, i) => makeTask(K.echo, i, { stdin: `in ${i}` }));
  server.send({ type: "tasks", tasks });
  await until(() => allResults(server).length === 16, "16 results");
  const byIndex = new Map(allResults(server).map((r) => [r.index, r]));
  for (const task of tasks) {
    const r = byIndex.get(task.index);
    assert.equal(r.lease, task.lease);
    assert.equal(r.status, "ok");
    assert.equal(r.exitCode, 0);
    assert.equal(Buffer.from(r.stdout, "base64").toString(), `in ${task.index}`);
  }
  const messages = server.sent("results").length;
  assert.ok(messages <= 4, `16 results took ${messages} messages`);
  assert.equal(volunteer.stats.tasksDone, 16);
  assert.deepEqual(server.invalid, []);
});

test("a non-zero exit is reported as exit with the kernel's code", async (t) => {
  const { server, volunteer } = await setup(t);
  server.send({ type: "tasks", tasks: [makeTask(K.hello, 0)] });
  const [result] = await until(() => allResults(server).length === 1 && allResults(server));
  assert.equal(result.status, "exit");
  assert.equal(result.exitCode, 3);
  assert.equal(Buffer.from(result.stdout, "base64").toString(), "hello");
  assert.equal(volunteer.stats.tasksFailed, 1);
});

test("heartbeats are sent every heartbeatMs with rising seq and the running count", async (t) => {
  const { server } = await setup(t, { server: { welcome: { heartbeatMs: 40 } } });
  server.send({ type: "tasks", tasks: [makeTask(K.loop, 0)] });
  await until(() => server.sent("heartbeat").length >= 4, "4 heartbeats");
  const beats = server.sent("heartbeat");
  beats.forEach((b, i) => assert.equal(b.seq, i));
  assert.equal(beats[beats.length - 1].running, 1);
});

test("holding no task it beats every idleHeartbeatMs, holding one every heartbeatMs", async (t) => {
  const { server } = await setup(t, {
    server: { welcome: { heartbeatMs: 40, idleHeartbeatMs: 600 } },
  });
  await sleep(1000); // idle: about one beat where the busy interval would give 25
  const idle = server.sent("heartbeat").length;
  assert.ok(idle >= 1 && idle <= 3, `${idle} heartbeats in 1 s while idle`);
  server.send({ type: "tasks", tasks: [makeTask(K.loop, 0)] });
  const t0 = Date.now();
  await until(() => server.sent("heartbeat").length >= idle + 5, "5 busy heartbeats");
  assert.ok(Date.now() - t0 < 1500, "holding a task, it beats at the busy interval (idle: 3 s)");
  assert.equal(server.sent("heartbeat").at(-1).running, 1);
});

test("without idleHeartbeatMs (an older server) an idle volunteer beats every heartbeatMs", async (t) => {
  const { server } = await setup(t, { server: { welcome: { heartbeatMs: 40 } } });
  await until(() => server.sent("heartbeat").length >= 5, "5 idle heartbeats");
  assert.equal(server.sent("heartbeat").at(-1).running, 0);
});

test("cancel terminates the running task; the next task runs on a new worker", async (t) => {
  const { server, volunteer } = await setup(t, {
    workers: 1,
    server: { welcome: { prefetchBelow: 0, batch: 1 } },
  });
  server.send({ type: "tasks", tasks: [makeTask(K.loop, 0)] });
  await until(() => volunteer.stats.running === 1, "loop running");
  await sleep(50);
  server.send({ type: "cancel", tasks: [{ job: "j-1", index: 0 }], reason: "job cancelled" });
  await until(() => volunteer.stats.running === 0, "loop cancelled");
  server.send({ type: "tasks", tasks: [makeTask(K.hello, 1)] });
  const results = await until(() => allResults(server).length > 0 && allResults(server));
  assert.deepEqual(
    results.map((r) => r.index),
    [1],
    "the cancelled task sends no result",
  );
  assert.deepEqual(server.sent("release"), [], "a cancelled task is not released");
});

test("a dropped connection reconnects after the backoff and sends hello again", async (t) => {
  const { server, volunteer, states } = await setup(t, {
    backoff: { initialMs: 150, jitter: 0 },
    workers: 1,
  });
  server.send({ type: "tasks", tasks: [0, 1, 2].map((i) => makeTask(K.loop, i)) });
  await until(() => volunteer.stats.queued === 2, "tasks queued");
  const dropped = Date.now();
  server.last.ws.terminate();
  await until(() => server.connections.length === 2 && server.sent("hello").length === 1, "hello");
  const waited = Date.now() - dropped;
  assert.ok(waited >= 140, `reconnected after ${waited} ms`);
  const disconnected = states.find((s) => s.state === "disconnected");
  assert.equal(disconnected.delayMs, 150);
  await until(() => volunteer.state === "connected", "welcome again");
  assert.equal(volunteer.stats.queued, 0, "the server requeued them, so the queue was dropped");
  assert.equal(server.sent("hello")[0].token, "token-1", "an accepted token is reused");
});

test("backoff doubles while the server refuses connections and resets after a welcome", async (t) => {
  const { server, volunteer, states } = await setup(t, { backoff: { initialMs: 40, jitter: 0 } });
  server.refuse = 2; // the next two connections are closed at once, before any welcome
  server.last.ws.terminate();
  await until(() => server.connections.length === 4 && volunteer.state === "connected", "4th");
  server.last.ws.terminate();
  await until(() => server.connections.length === 5 && volunteer.state === "connected", "5th");
  const delays = states.filter((s) => s.state === "disconnected").map((s) => s.delayMs);
  assert.deepEqual(delays, [40, 80, 160, 40]);
  assert.equal(server.connections[1].closed.code, 1011);
});

test("a token the server refuses (1008) is replaced by a fresh one", async (t) => {
  const { server } = await setup(t, {
    server: { acceptToken: (token) => token !== "token-1" },
    backoff: { initialMs: 20 },
  });
  assert.equal(server.consents.length, 2);
  assert.equal(server.connections[0].closed.code, 1008);
  assert.equal(server.sent("hello")[0].token, "token-2");
});

test("stop() releases every held task with the reason and closes with 1000", async (t) => {
  const { server, volunteer, states } = await setup(t, { workers: 2 });
  const tasks = [0, 1, 2].map((i) => makeTask(K.loop, i));
  server.send({ type: "tasks", tasks });
  await until(() => volunteer.stats.running + volunteer.stats.queued === 3, "3 held");
  await volunteer.stop({ reason: "paused" });
  const [release] = await until(() => server.sent("release").length && server.sent("release"));
  assert.equal(release.reason, "paused");
  assert.deepEqual(
    release.tasks.sort((a, b) => a.index - b.index),
    tasks.map(({ job, index, lease }) => ({ job, index, lease })),
  );
  await until(() => server.last.closed, "close");
  assert.equal(server.last.closed.code, 1000);
  assert.equal(volunteer.state, "stopped");
  assert.deepEqual(
    states.slice(-2).map((s) => s.state),
    ["stopping", "stopped"],
  );
  assert.equal(volunteer.stats.running, 0);
});

test("a kernel whose bytes do not match its hash releases its tasks as kernel-unavailable", async (t) => {
  const forged = "f".repeat(64);
  const { server, warnings } = await setup(t, {
    server: { kernels: { ...KERNELS, [forged]: HELLO } },
  });
  server.send({ type: "tasks", tasks: [0, 1].map((i) => makeTask(forged, i)) });
  const [release] = await until(() => server.sent("release").length && server.sent("release"));
  assert.equal(release.reason, "kernel-unavailable");
  assert.deepEqual(
    release.tasks.map((x) => x.index),
    [0, 1],
  );
  assert.deepEqual(server.kernelFetches, [forged], "one fetch for both tasks");
  assert.deepEqual(allResults(server), []);
  assert.ok(warnings.some((w) => w.includes(forged)));
});

test("a kernel is fetched and compiled once for many tasks", async (t) => {
  const { server } = await setup(t, { server: { welcome: { batch: 20 } } });
  server.send({ type: "tasks", tasks: [0, 1, 2, 3, 4].map((i) => makeTask(K.echo, i)) });
  await until(() => allResults(server).length === 5, "first 5");
  server.send({ type: "tasks", tasks: [5, 6, 7, 8, 9].map((i) => makeTask(K.echo, i)) });
  await until(() => allResults(server).length === 10, "10 results");
  assert.deepEqual(server.kernelFetches, [K.echo]);
});

test("an invalid message from the server is a warning and the session goes on", async (t) => {
  const { server, volunteer, warnings } = await setup(t);
  server.send("{not json");
  server.send({ type: "jump" });
  server.send({ type: "error", code: "bad-message", message: "count is missing" });
  await until(() => warnings.length === 3, "3 warnings");
  assert.match(warnings[0], /malformed/);
  assert.match(warnings[1], /unknown-type/);
  assert.match(warnings[2], /bad-message: count is missing/);
  server.send({ type: "tasks", tasks: [makeTask(K.hello, 0)] });
  await until(() => allResults(server).length === 1, "result after the bad messages");
  assert.equal(volunteer.state, "connected");
});

test("a task running past taskTimeoutMs is stopped and released as timeout", async (t) => {
  const { server, volunteer } = await setup(t, { taskTimeoutMs: 100 });
  const task = makeTask(K.loop, 0);
  server.send({ type: "tasks", tasks: [task] });
  const [release] = await until(() => server.sent("release").length && server.sent("release"));
  assert.equal(release.reason, "timeout");
  assert.deepEqual(release.tasks, [{ job: task.job, index: 0, lease: task.lease }]);
  assert.equal(volunteer.stats.running, 0);
});

test("its workers start on welcome, before any task arrives", async (t) => {
  const { createNodeWorker } = await import("../src/node/worker-factory.js");
  let made = 0;
  const createWorker = (handlers) => {
    made++;
    return createNodeWorker(handlers);
  };
  const { server } = await setup(t, { workers: 2, createWorker });
  assert.equal(made, 2, "both workers started with the welcome");
  server.send({ type: "tasks", tasks: [0, 1, 2].map((i) => makeTask(K.echo, i, { stdin: "x" })) });
  await until(() => allResults(server).length === 3, "3 results");
  assert.equal(made, 2, "the tasks ran on them");
});

test("a task past its timeoutMs has its worker terminated and is reported as a trap", async (t) => {
  let terminated = 0;
  const { createNodeWorker } = await import("../src/node/worker-factory.js");
  const createWorker = (handlers) => {
    const worker = createNodeWorker(handlers);
    return {
      postMessage: (m) => worker.postMessage(m),
      terminate: () => {
        terminated++;
        worker.terminate();
      },
    };
  };
  const { server, volunteer } = await setup(t, { workers: 1, createWorker });
  const spinning = makeTask(K.loop, 0, { timeoutMs: 150 });
  const quick = makeTask(K.echo, 1, { stdin: "still here" });
  const sentAt = Date.now();
  server.send({ type: "tasks", tasks: [spinning] });
  const [report] = await until(() => allResults(server).length && allResults(server));
  const took = Date.now() - sentAt;
  assert.ok(took >= 150 && took < 5_000, `reported after ${took} ms`);
  assert.equal(report.index, 0);
  assert.equal(report.status, "trap");
  assert.equal(report.exitCode, -1);
  assert.match(
    Buffer.from(report.stderr, "base64").toString(),
    /ran past its time limit of 150 ms; its worker was terminated/,
  );
  assert.equal(terminated, 1, "the spinning worker was terminated");
  assert.deepEqual(server.sent("release"), [], "a limit is the task's failure, not a release");
  assert.equal(volunteer.stats.running, 0);
  // The pool goes on with a fresh worker, and a finished task's limit never fires.
  server.send({ type: "tasks", tasks: [quick] });
  await until(() => allResults(server).length === 2, "the next task");
  const [, next] = allResults(server);
  assert.equal(next.status, "ok");
  assert.equal(Buffer.from(next.stdout, "base64").toString(), "still here");
});

test("a task still waiting for its kernel at its limit is reported without running", async (t) => {
  const hang = () => new Promise(() => {});
  const { server } = await setup(t, { fetch: hang });
  const task = makeTask(K.hello, 0, { timeoutMs: 50 });
  server.send({ type: "tasks", tasks: [task] });
  const [report] = await until(() => allResults(server).length && allResults(server));
  assert.equal(report.status, "trap");
  assert.equal(report.lease, task.lease);
});

test("a worker that dies is released as worker-crashed and the volunteer goes on", async (t) => {
  let crashes = 1;
  const { createNodeWorker } = await import("../src/node/worker-factory.js");
  // The first worker dies as soon as it is given a task; later ones are real.
  const createWorker = (handlers) => {
    if (crashes-- <= 0) return createNodeWorker(handlers);
    return {
      postMessage: () => setTimeout(() => handlers.onError(new Error("killed by the test")), 5),
      terminate: () => {},
    };
  };
  const { server, warnings } = await setup(t, { workers: 1, createWorker });
  const doomed = makeTask(K.hello, 0);
  server.send({ type: "tasks", tasks: [doomed] });
  const [release] = await until(() => server.sent("release").length && server.sent("release"));
  assert.equal(release.reason, "worker-crashed");
  assert.deepEqual(release.tasks, [{ job: doomed.job, index: 0, lease: doomed.lease }]);
  assert.ok(warnings.some((w) => w.includes("killed by the test")));
  server.send({ type: "tasks", tasks: [makeTask(K.hello, 1)] });
  await until(() => allResults(server).length === 1, "a result from the replacement worker");
});

test("results messages stay under maxMessageBytes and stdout is capped to fit", async (t) => {
  const maxMessageBytes = 3000;
  const { server } = await setup(t, {
    server: { welcome: { maxMessageBytes, batch: 6, prefetchBelow: 0 } },
    resultFlushMs: 50,
  });
  const tasks = [0, 1, 2, 3, 4].map((i) => makeTask(K.echo, i, { stdin: "x".repeat(1000) }));
  tasks.push(makeTask(K.echo, 5, { stdin: "y".repeat(2500) })); // cannot fit: the task fails
  server.send({ type: "tasks", tasks });
  await until(() => allResults(server).length === 6, "6 results");
  for (const m of server.sent("results")) {
    assert.ok(JSON.stringify(m).length <= maxMessageBytes, "a results message is too large");
  }
  const results = allResults(server).sort((a, b) => a.index - b.index);
  assert.deepEqual(
    results.map((r) => r.status),
    ["ok", "ok", "ok", "ok", "ok", "trap"],
  );
  assert.match(Buffer.from(results[5].stderr, "base64").toString(), /stdout exceeded/);
});

test("stop({reason: 'closing'}) sends the release and starts the close in the same turn, for pagehide", async (t) => {
  const { server, volunteer } = await setup(t, { workers: 1 });
  server.send({ type: "tasks", tasks: [makeTask(K.loop, 0), makeTask(K.loop, 1)] });
  await until(() => volunteer.stats.running + volunteer.stats.queued === 2, "2 held");
  volunteer.stop({ reason: "closing" }); // not awaited: a closing page gives no later turn
  assert.equal(volunteer.stats.running, 0, "the worker is terminated at once");
  const [release] = await until(() => server.sent("release").length && server.sent("release"));
  assert.equal(release.reason, "closing");
  assert.deepEqual(release.tasks.map((x) => x.index).sort(), [0, 1]);
  await until(() => server.last.closed, "close");
  assert.equal(server.last.closed.code, 1000);
});

test("the cpu option is held by the pool and counted in stats", async (t) => {
  const { server, volunteer } = await setup(t, { workers: 1, cpu: 50 });
  assert.equal(volunteer.cpu, 50);
  server.send({ type: "tasks", tasks: [0, 1, 2].map((i) => makeTask(K.echo, i)) });
  await until(() => volunteer.stats.tasksDone === 3, "3 done");
  const { cpu, workers, busyMillis } = volunteer.stats;
  assert.deepEqual({ cpu, workers }, { cpu: 50, workers: 1 });
  assert.ok(busyMillis > 0);
  volunteer.setCpu(75);
  assert.equal(volunteer.stats.cpu, 75);
  assert.throws(() => volunteer.setCpu(0), TypeError);
});
