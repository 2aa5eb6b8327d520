// A job's results stay byte-identical to native while volunteers leave mid-job, under each
// dispatch policy: real server, real headless volunteers (bin/surge-volunteer), one killed
// (SIGKILL: no goodbye), one stopped (SIGTERM: it releases its tasks, like pagehide), one new,
// and once nothing is queued one frozen with its tasks (SIGSTOP) until the server drops it.
//
//   node bench/leave.mjs --server URL --keys K1,K2,...,Kn --kernel F --native F
//        --tasks T --samples S --policy NAME --out F
//
// Run through bench/leave.sh, which starts a server per policy. Exits 1 if a job's merged output
// differs from the native outputs of its tasks.
import { spawn, execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api, waitForEnd, millisBetween } from "./lib/api.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: o } = parseArgs({
  options: {
    server: { type: "string" },
    keys: { type: "string" },
    kernel: { type: "string" },
    native: { type: "string" },
    tasks: { type: "string", default: "48" },
    samples: { type: "string", default: "20000000" },
    policy: { type: "string" },
    out: { type: "string" },
    logs: { type: "string", default: "/tmp" },
  },
});
const say = (m) => console.error(`leave.mjs [${o.policy}]: ${m}`);
const tasks = Number(o.tasks);
const keys = o.keys.split(",");
if (keys.length < 4)
  throw new Error("--keys needs 4 keys: 3 volunteers at start, 1 arriving");

const expected = [];
for (let i = 0; i < tasks; i++) {
  const env = {
    ...process.env,
    SURGE_TASK_INDEX: String(i),
    SURGE_TASK_COUNT: String(tasks),
  };
  expected.push(
    execFileSync(o.native, [o.samples], { env, encoding: "latin1" }),
  );
}

const volunteers = [];
function startVolunteer(i) {
  const log = join(o.logs, `volunteer-${o.policy}-${i}.log`);
  const p = spawn(
    join(repo, "bin/surge-volunteer"),
    ["--server", o.server, "--key", keys[i], "--workers", "1"],
    { stdio: ["ignore", "ignore", "ignore"] },
  );
  volunteers.push({ i, p, log });
  return p;
}
const stopAll = () =>
  volunteers.forEach((v) => v.p.exitCode === null && v.p.kill("SIGKILL"));
process.on("exit", stopAll);

const api = new Api(o.server);
for (let i = 0; i < 3; i++) startVolunteer(i);
for (let t = 0; ; t++) {
  const m = await api.metrics();
  if ((m.surge_volunteers_connected ?? 0) >= 3) break;
  if (t > 600) throw new Error("3 volunteers did not connect within 60 s");
  await new Promise((r) => setTimeout(r, 100));
}
const kernel = (await api.uploadKernel(readFileSync(o.kernel))).sha256;
const t0 = Date.now();
const job = await api.submit({
  name: `leave-${o.policy}`,
  kernel,
  tasks,
  args: [o.samples],
  merge: { kind: "concat" },
});
const events = [];
let killed = false;
let stopped = false;
let stalled = false;
const { status: s, endSeenAt } = await waitForEnd(api, job.id, {
  pollMs: 100,
  timeoutMs: 600_000,
  onPoll: (st, now) => {
    const done = st.tasks?.done ?? 0;
    if (!killed && done >= tasks / 4) {
      killed = true;
      volunteers[0].p.kill("SIGKILL");
      events.push({ at: now - t0, done, what: "volunteer 0 killed (SIGKILL)" });
    }
    if (!stopped && done >= tasks / 2) {
      stopped = true;
      volunteers[1].p.kill("SIGTERM");
      startVolunteer(3);
      events.push({
        at: now - t0,
        done,
        what: "volunteer 1 stopped (SIGTERM), volunteer 3 came",
      });
    }
    if (
      stopped &&
      !stalled &&
      st.tasks?.queued === 0 &&
      (st.tasks?.leased ?? 0) > 0
    ) {
      // The tail: one volunteer freezes with its tasks (a throttled background tab, a laptop
      // lid closed); the server learns it only when three heartbeats are missed.
      stalled = true;
      volunteers[2].p.kill("SIGSTOP");
      events.push({
        at: now - t0,
        done,
        what: "volunteer 2 frozen (SIGSTOP) in the tail",
      });
    }
  },
});
const metrics = await api.metrics();
const record = {
  policy: o.policy,
  job: s.id,
  state: s.state,
  tasks,
  samples: Number(o.samples),
  wallMs: endSeenAt - t0,
  serverMs:
    s.finishedAt && s.createdAt
      ? millisBetween(s.createdAt, s.finishedAt)
      : null,
  events,
  requeued: metrics.surge_tasks_requeued_total ?? null,
  tailCopies: metrics.surge_dispatch_tail_duplicates_total ?? null,
  tailWins: metrics.surge_dispatch_tail_duplicate_wins_total ?? null,
  tailCancelled: metrics.surge_dispatch_tail_cancelled_total ?? null,
  checkpointsResumed: metrics.surge_checkpoints_resumed_total ?? null,
};
if (s.state === "SUCCEEDED") {
  const merged = Buffer.from(await api.result(s.id)).toString("latin1");
  record.identical = merged === expected.join("");
} else {
  record.identical = false;
  record.error = s.error ?? null;
}
say(
  `${s.state} in ${(record.wallMs / 1000).toFixed(1)} s, byte-identical to native: ` +
    `${record.identical}, requeued ${record.requeued}, tail copies ${record.tailCopies} ` +
    `(${record.tailWins} won), resumed from checkpoints ${record.checkpointsResumed}`,
);
writeFileSync(o.out, JSON.stringify(record, null, 2));
stopAll();
process.exit(record.identical ? 0 : 1);
