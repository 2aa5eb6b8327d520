import { test } from "node:test";
import assert from "node:assert/strict";
import { DutyCycle, restFor, checkCpu } from "../src/duty-cycle.js";
import { Pool } from "../src/pool.js";

test("rest owed is busy time times (100 - cpu) / cpu", () => {
  assert.equal(restFor(100, 50), 100);
  assert.equal(restFor(100, 25), 300);
  assert.equal(restFor(300, 75), 100);
  assert.equal(restFor(100, 100), 0);
});

test("cpu outside 1..100 is refused, naming the value", () => {
  for (const bad of [0, 101, -5, NaN, "50", undefined]) {
    assert.throws(() => checkCpu(bad), /cpu must be a percentage from 1 to 100/);
  }
  assert.equal(checkCpu(1), 1);
  assert.throws(() => new DutyCycle({ cpu: 0 }), TypeError);
});

test("a worker waits out its rest, and idle time or a late timer pays it off up to the credit", () => {
  const duty = new DutyCycle({ cpu: 25, creditMs: 50 });
  const ledger = duty.ledger(0);
  assert.equal(duty.waitMs(ledger, 0), 0);
  duty.started(ledger, 0);
  duty.finished(ledger, 100, 100); // owes 300 ms
  assert.equal(duty.waitMs(ledger, 100), 300);
  assert.equal(duty.waitMs(ledger, 250), 150);
  assert.equal(duty.waitMs(ledger, 400), 0);
  assert.equal(duty.owedAt(ledger, 420), -20, "a timer 20 ms late leaves 20 ms of credit");
  assert.equal(duty.owedAt(ledger, 5000), -50, "credit is capped");
  duty.started(ledger, 420);
  duty.finished(ledger, 10, 430); // owes 30 - 20 = 10 ms
  assert.equal(duty.waitMs(ledger, 430), 10);
});

/** A pool on fake workers, a fake clock and fake timers: tasks finish when the test says so. */
function fakePool({ cpu, workers = 1 }) {
  const clock = { now: 0, timers: [] };
  const posted = [];
  const pool = new Pool({
    workers,
    cpu,
    createWorker: ({ onMessage }) => ({
      postMessage: (m) => posted.push({ m, reply: (r) => onMessage({ id: m.id, result: r }) }),
      terminate: () => {},
    }),
    now: () => clock.now,
    setTimer: (fn, ms) => {
      const timer = { at: clock.now + ms, fn };
      clock.timers.push(timer);
      return timer;
    },
    clearTimer: (t) => (clock.timers = clock.timers.filter((x) => x !== t)),
  });
  const advance = (ms) => {
    const end = clock.now + ms;
    for (;;) {
      const due = clock.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      clock.timers = clock.timers.filter((t) => t !== due);
      clock.now = Math.max(clock.now, due.at);
      due.fn();
    }
    clock.now = end;
  };
  return { pool, posted, clock, advance };
}

const task = (index) => ({ job: "j", index, lease: index, kernel: "k" });

test("the pool holds 50 % by resting a worker as long as its last task ran", () => {
  const { pool, posted, advance } = fakePool({ cpu: 50 });
  [0, 1, 2].forEach((i) => pool.run(task(i), {}));
  assert.equal(posted.length, 1);
  advance(200);
  posted[0].reply({ millis: 200 });
  assert.equal(posted.length, 1, "resting, the next task waits");
  assert.equal(pool.queued, 2);
  advance(199);
  assert.equal(posted.length, 1);
  advance(1);
  assert.equal(posted.length, 2, "after 200 ms of rest the next task starts");
  assert.equal(pool.busyMillis, 200);
});

test("over many tasks of mixed length the busy fraction is the cpu level", () => {
  for (const cpu of [25, 50, 75]) {
    const { pool, posted, advance, clock } = fakePool({ cpu });
    const lengths = [5, 120, 40, 300, 1, 1, 1, 75, 900, 13];
    for (let i = 0; i < 400; i++) pool.run(task(i), {});
    let replied = 0;
    while (replied < 400) {
      // Timers fire up to 4 ms late, as browsers clamp them.
      const length = lengths[replied % lengths.length];
      advance(length);
      posted[replied].reply({});
      replied++;
      while (posted.length === replied && clock.timers.length) advance(4 + (replied % 3));
    }
    const level = (100 * pool.busyMillis) / clock.now;
    assert.ok(Math.abs(level - cpu) < 1, `cpu ${cpu}: measured ${level.toFixed(2)} %`);
  }
});

test("setCpu applies from the next rest, and stopAll clears the rest timer", () => {
  const { pool, posted, advance, clock } = fakePool({ cpu: 50 });
  [0, 1].forEach((i) => pool.run(task(i), {}));
  advance(100);
  pool.setCpu(25);
  posted[0].reply({});
  advance(299);
  assert.equal(posted.length, 1);
  advance(1);
  assert.equal(posted.length, 2);
  pool.run(task(2), {});
  assert.deepEqual(
    pool.stopAll().map((t) => t.index),
    [1, 2],
  );
  assert.equal(clock.timers.length, 0);
  assert.throws(() => pool.setCpu(0), TypeError);
});

test("a resting worker does not hold back a second worker that has not worked yet", () => {
  const { pool, posted, advance } = fakePool({ cpu: 50, workers: 2 });
  pool.run(task(0), {});
  advance(100);
  posted[0].reply({});
  pool.run(task(1), {});
  assert.equal(posted.length, 2, "a new worker takes the task while the first rests");
});
