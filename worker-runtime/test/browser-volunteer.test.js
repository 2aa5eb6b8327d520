import { test } from "node:test";
import assert from "node:assert/strict";
import { BrowserVolunteer, reasonNotToStart } from "../src/browser/browser-volunteer.js";

/** A fake Volunteer that records start/stop and stops after `stopMs`. */
function fakeVolunteer(stopMs = 0) {
  const calls = [];
  let state = "stopped";
  let stopping = null;
  return {
    calls,
    options: null,
    get state() {
      return state;
    },
    start() {
      if (state !== "stopped") return;
      state = "connected";
      calls.push("start");
    },
    stop({ reason }) {
      if (state === "stopped") return Promise.resolve();
      calls.push(`stop:${reason}`);
      state = "stopping";
      stopping ??= new Promise((r) => setTimeout(r, stopMs)).then(() => {
        state = "stopped";
        stopping = null;
      });
      return stopping;
    },
    setCpu(cpu) {
      calls.push(`cpu:${cpu}`);
    },
    stats: { tasksDone: 0 },
  };
}

/** A page: document and window as event targets, visibility the test sets. */
function fakePage({ hidden = false, navigator = {} } = {}) {
  const document = new EventTarget();
  document.visibilityState = hidden ? "hidden" : "visible";
  const window = new EventTarget();
  const setVisible = (visible) => {
    document.visibilityState = visible ? "visible" : "hidden";
    document.dispatchEvent(new Event("visibilitychange"));
  };
  return { document, window, navigator, setVisible };
}

function setup({ page = fakePage(), stopMs = 0, options = {} } = {}) {
  const fake = fakeVolunteer(stopMs);
  const activities = [];
  const volunteer = new BrowserVolunteer(
    { server: "http://s", token: "t", onActivity: (d) => activities.push(d), ...options },
    {
      ...page,
      createVolunteer: (o) => {
        fake.options = o;
        return fake;
      },
    },
  );
  return { volunteer, fake, page, activities };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

test("starts at cpu 50 by default with the banner's token", async () => {
  const { volunteer, fake } = setup();
  assert.equal(await volunteer.start(), "running");
  assert.equal(fake.options.cpu, 50);
  assert.equal(await fake.options.getToken({ fresh: false }), "t");
  assert.deepEqual(fake.calls, ["start"]);
});

test("save-data and a low battery that is not charging keep it from starting", async () => {
  const cases = [
    [{ connection: { saveData: true } }, "save-data"],
    [{ getBattery: async () => ({ level: 0.15, charging: false }) }, "low-battery"],
  ];
  for (const [navigator, reason] of cases) {
    const { volunteer, fake, activities } = setup({ page: fakePage({ navigator }) });
    assert.equal(await volunteer.start(), "blocked");
    assert.deepEqual(fake.calls, [], "nothing started, no socket");
    assert.equal(activities.at(-1).reason, reason);
  }
  assert.equal(
    await reasonNotToStart({ getBattery: async () => ({ level: 0.15, charging: true }) }),
    null,
  );
  assert.equal(await reasonNotToStart({ getBattery: async () => ({ level: 0.5 }) }), null);
  assert.equal(
    await reasonNotToStart({ getBattery: () => new Promise(() => {}) }, { timeoutMs: 10 }),
    null,
    "a battery that never answers does not block",
  );
  assert.equal(await reasonNotToStart({ getBattery: () => Promise.reject(new Error()) }), null);
});

test("a hidden page pauses (releasing as paused) and a visible one resumes", async () => {
  const { volunteer, fake, page, activities } = setup({ stopMs: 20 });
  await volunteer.start();
  page.setVisible(false);
  assert.equal(volunteer.activity, "paused");
  assert.deepEqual(fake.calls, ["start", "stop:paused"]);
  page.setVisible(true);
  await tick(40);
  assert.equal(volunteer.activity, "running");
  assert.deepEqual(fake.calls, ["start", "stop:paused", "start"]);
  assert.deepEqual(
    activities.map((a) => `${a.activity}:${a.reason ?? ""}`),
    ["checking:", "running:", "paused:hidden", "running:visible"],
  );
});

/** A battery as Chromium's navigator.getBattery() gives it: an event target the test drains. */
function fakeBattery(level, charging) {
  const battery = new EventTarget();
  battery.level = level;
  battery.charging = charging;
  battery.set = (l, c) => {
    const chargingChanged = c !== battery.charging;
    battery.level = l;
    battery.charging = c;
    battery.dispatchEvent(new Event(chargingChanged ? "chargingchange" : "levelchange"));
  };
  return battery;
}

test("a battery that runs low pauses it until the device charges, also across visibility", async () => {
  const battery = fakeBattery(0.5, false);
  const page = fakePage({ navigator: { getBattery: async () => battery } });
  const { volunteer, fake, activities } = setup({ page, stopMs: 10 });
  assert.equal(await volunteer.start(), "running");
  await tick();
  battery.set(0.19, false);
  assert.equal(volunteer.activity, "paused");
  assert.deepEqual(fake.calls, ["start", "stop:paused"], "its tasks go back at once");
  page.setVisible(false);
  page.setVisible(true);
  await tick(30);
  assert.equal(volunteer.activity, "paused", "a visible page does not resume on a low battery");
  battery.set(0.18, true);
  await tick(30);
  assert.equal(volunteer.activity, "running");
  assert.deepEqual(
    activities.map((a) => `${a.activity}:${a.reason ?? ""}`),
    ["checking:", "running:", "paused:low-battery", "running:charging"],
  );
  await volunteer.stop();
  battery.set(0.1, false);
  battery.set(0.1, true);
  await tick(30);
  assert.equal(volunteer.activity, "stopped", "a stopped volunteer no longer listens");
});

test("hidden, visible and hidden again before the pause ended leaves it paused", async () => {
  const { volunteer, fake, page } = setup({ stopMs: 20 });
  await volunteer.start();
  page.setVisible(false);
  page.setVisible(true);
  page.setVisible(false);
  await tick(40);
  assert.equal(volunteer.activity, "paused");
  assert.deepEqual(fake.calls, ["start", "stop:paused"]);
});

test("a page that starts hidden connects only once visible", async () => {
  const { volunteer, fake, page } = setup({ page: fakePage({ hidden: true }) });
  assert.equal(await volunteer.start(), "paused");
  assert.deepEqual(fake.calls, []);
  page.setVisible(true);
  await tick();
  assert.deepEqual(fake.calls, ["start"]);
});

test("pagehide releases as closing at once; a page back from the cache resumes", async () => {
  const { volunteer, fake, page } = setup();
  await volunteer.start();
  page.window.dispatchEvent(new Event("pagehide"));
  assert.deepEqual(fake.calls, ["start", "stop:closing"], "synchronously, before the page goes");
  const shown = new Event("pageshow");
  shown.persisted = true;
  page.window.dispatchEvent(shown);
  await tick(5);
  assert.deepEqual(fake.calls, ["start", "stop:closing", "start"]);
});

test("stop ends it for good: no resume on visibility, and stop during the checks wins", async () => {
  const { volunteer, fake, page } = setup();
  await volunteer.start();
  await volunteer.stop();
  page.setVisible(false);
  page.setVisible(true);
  await tick();
  assert.deepEqual(fake.calls, ["start", "stop:paused"]);
  assert.equal(volunteer.activity, "stopped");

  const slow = setup({
    page: fakePage({ navigator: { getBattery: () => new Promise((r) => setTimeout(r, 20)) } }),
  });
  const started = slow.volunteer.start();
  await slow.volunteer.stop();
  assert.equal(await started, "stopped");
  assert.deepEqual(slow.fake.calls, []);
});

test("a refused token stops it instead of retrying with the same token", async () => {
  const { volunteer, fake, activities } = setup();
  await volunteer.start();
  assert.throws(() => fake.options.getToken({ fresh: true }), /refused/);
  await tick();
  assert.equal(volunteer.activity, "stopped");
  assert.equal(activities.at(-1).reason, "consent-refused");
});

test("setCpu and stats reach the volunteer", async () => {
  const { volunteer, fake } = setup();
  volunteer.setCpu(25);
  assert.deepEqual(fake.calls, ["cpu:25"]);
  assert.deepEqual(volunteer.stats, { tasksDone: 0 });
});
