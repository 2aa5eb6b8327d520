import { test } from "node:test";
import assert from "node:assert/strict";
import { createConsentCore, parseRecord } from "../src/core.js";
import { fakeStorage } from "./helpers/fake-dom.js";

const DAY = 86_400_000;

function setup({ revision = 1, storage = fakeStorage(), start = Date.UTC(2026, 0, 1) } = {}) {
  const clock = { t: start };
  const target = new EventTarget();
  const events = [];
  for (const type of ["surge:consent", "surge:decline", "surge:stop", "surge:change"]) {
    target.addEventListener(type, (e) => events.push({ type, detail: e.detail }));
  }
  const warnings = [];
  const make = (rev = revision) =>
    createConsentCore({
      project: "wildfire",
      revision: rev,
      storage,
      now: () => clock.t,
      target,
      warn: (m) => warnings.push(m),
    });
  return { core: make(), make, clock, events, warnings, storage };
}

test("a first visit must ask and allows nothing", () => {
  const { core } = setup();
  assert.equal(core.status(), "unknown");
  assert.equal(core.needsAsking(), true);
  assert.equal(core.acceptedCpu(), 0);
  assert.equal(core.record(), null);
});

test("accept stores the choice per project with revision and expiry, and emits events", () => {
  const { core, storage, events, clock } = setup();
  assert.equal(core.accept(50), true);
  assert.equal(core.acceptedCpu(), 50);
  assert.equal(core.status(), "accepted");
  const stored = JSON.parse(storage.map.get("surge-consent:wildfire"));
  assert.deepEqual(stored, {
    choice: "accepted",
    cpu: 50,
    revision: 1,
    decidedAt: new Date(clock.t).toISOString(),
    expiresAt: new Date(clock.t + 182 * DAY).toISOString(),
  });
  assert.deepEqual(
    events.map((e) => e.type),
    ["surge:consent", "surge:change"],
  );
  assert.equal(events[0].detail.project, "wildfire");
  assert.equal(events[0].detail.record.cpu, 50);
  assert.equal(events[0].detail.previous, null);
});

test("a CPU level that was not offered is refused with one warning", () => {
  const { core, warnings, events } = setup();
  assert.equal(core.accept(100), false);
  assert.equal(core.accept("50"), false);
  assert.equal(core.acceptedCpu(), 0);
  assert.equal(warnings.length, 2);
  assert.equal(events.length, 0);
});

test("the choice survives a new page view (a new core on the same storage)", () => {
  const { core, make } = setup();
  core.decline();
  assert.equal(make().status(), "declined");
  assert.equal(make().needsAsking(), false);
});

test("a newer revision asks again; an older one does not invalidate", () => {
  const { core, make } = setup({ revision: 2 });
  core.accept(25);
  assert.equal(make(3).status(), "unknown");
  assert.equal(make(3).acceptedCpu(), 0);
  assert.equal(make(2).acceptedCpu(), 25);
  assert.equal(make(1).acceptedCpu(), 25);
});

test("an expired record asks again", () => {
  const { core, clock, make } = setup();
  core.accept(75);
  clock.t += 182 * DAY - 1;
  assert.equal(make().acceptedCpu(), 75);
  clock.t += 1;
  assert.equal(make().status(), "unknown");
});

test("stop withdraws the acceptance, returns the token, and is remembered", () => {
  const { core, make, events } = setup();
  core.accept(50);
  assert.equal(core.rememberToken("tok-1", "2026-02-01T00:00:00Z"), true);
  assert.equal(core.record().token, "tok-1");
  events.length = 0;
  assert.equal(core.stop(), "tok-1");
  assert.equal(make().status(), "stopped");
  assert.equal(make().acceptedCpu(), 0);
  assert.equal(make().needsAsking(), false);
  assert.equal(make().record().token, undefined);
  assert.deepEqual(
    events.map((e) => e.type),
    ["surge:stop", "surge:change"],
  );
  assert.equal(events[0].detail.previous.choice, "accepted");
});

test("a token is only kept with an acceptance", () => {
  const { core } = setup();
  assert.equal(core.rememberToken("tok"), false);
  core.decline();
  assert.equal(core.rememberToken("tok"), false);
});

test("reset forgets the choice and emits surge:change", () => {
  const { core, make, events } = setup();
  core.accept(25);
  events.length = 0;
  assert.equal(core.reset(), true);
  assert.equal(make().status(), "unknown");
  assert.deepEqual(
    events.map((e) => e.type),
    ["surge:change"],
  );
  assert.equal(events[0].detail.record, null);
});

test("blocked storage (private mode): the choice holds for this page and is asked again next visit", () => {
  const storage = fakeStorage({ broken: true });
  const { core, make, warnings } = setup({ storage });
  assert.equal(core.status(), "unknown");
  assert.equal(core.accept(50), true);
  assert.equal(core.acceptedCpu(), 50);
  assert.equal(core.persistent(), false);
  assert.equal(make().status(), "unknown");
  assert.deepEqual(warnings, []);
});

test("no storage at all behaves like blocked storage", () => {
  const { core } = setup({ storage: null });
  core.decline();
  assert.equal(core.status(), "declined");
  assert.equal(core.persistent(), false);
});

test("a storage full on write keeps the choice in memory", () => {
  const storage = fakeStorage();
  storage.setItem = () => {
    throw new DOMException("full", "QuotaExceededError");
  };
  const { core } = setup({ storage });
  assert.equal(core.accept(25), true);
  assert.equal(core.acceptedCpu(), 25);
});

test("malformed stored records count as no record", () => {
  for (const text of [
    "not json",
    "null",
    "42",
    '{"choice":"maybe","cpu":0,"revision":1,"decidedAt":"x","expiresAt":"2099-01-01T00:00:00Z"}',
    '{"choice":"accepted","cpu":50,"revision":"1","decidedAt":"x","expiresAt":"2099-01-01T00:00:00Z"}',
    '{"choice":"accepted","cpu":50,"revision":1,"decidedAt":"x","expiresAt":"soon"}',
    '{"choice":"accepted","cpu":50,"revision":1,"decidedAt":"x","expiresAt":"2099-01-01T00:00:00Z","token":7}',
  ]) {
    assert.equal(parseRecord(text), null, text);
    const storage = fakeStorage();
    storage.map.set("surge-consent:wildfire", text);
    assert.equal(setup({ storage }).core.status(), "unknown", text);
  }
});

test("projects do not share a choice", () => {
  const storage = fakeStorage();
  setup({ storage }).core.accept(50);
  const other = createConsentCore({ project: "epidemic", revision: 1, storage, target: null });
  assert.equal(other.status(), "unknown");
});

test("never throws: a throwing listener or a broken clock is one warning", () => {
  const { core, warnings } = setup();
  const target = new EventTarget();
  target.dispatchEvent = () => {
    throw new Error("listener exploded");
  };
  const noisy = createConsentCore({
    project: "p",
    revision: 1,
    storage: fakeStorage(),
    target,
    warn: (m) => warnings.push(m),
  });
  assert.equal(noisy.accept(25), true);
  assert.equal(noisy.acceptedCpu(), 25);
  assert.ok(warnings.some((w) => w.includes("listener exploded")));

  const broken = createConsentCore({
    project: "p",
    revision: 1,
    storage: fakeStorage(),
    target: null,
    now: () => {
      throw new Error("no clock");
    },
    warn: (m) => warnings.push(m),
  });
  warnings.length = 0;
  assert.doesNotThrow(() => broken.accept(25));
  assert.equal(broken.accept(25), false);
  assert.equal(broken.acceptedCpu(), 0);
  assert.equal(broken.status(), "unknown");
  assert.ok(warnings.length > 0);
  assert.equal(core.status(), "unknown");
});

test("the contribution adds up across visits and decisions, only while accepted", () => {
  const { core, make } = setup();
  assert.deepEqual(core.contribution(), { tasks: 0, cpuMillis: 0 });
  assert.equal(core.addContribution(3, 100), false, "nothing counts before an acceptance");
  core.accept(25);
  assert.equal(core.addContribution(3, 100), true);
  assert.equal(make().addContribution(2, 50), true);
  assert.deepEqual(make().contribution(), { tasks: 5, cpuMillis: 150 });
  core.stop();
  assert.equal(core.addContribution(1, 1), false);
  core.accept(50);
  assert.deepEqual(core.contribution(), { tasks: 5, cpuMillis: 150 }, "kept across decisions");
  assert.equal(core.addContribution(-1, 0), false);
  assert.equal(core.addContribution(Number.NaN, 0), false);
  core.reset();
  assert.deepEqual(core.contribution(), { tasks: 0, cpuMillis: 0 });
  assert.equal(
    parseRecord(
      '{"choice":"accepted","cpu":5,"revision":1,"decidedAt":"x","expiresAt":"2099-01-01T00:00:00Z","contributed":{"tasks":"many"}}',
    ),
    null,
  );
});
