// The banner's behaviour end to end under Node, with a fake DOM, storage, fetch and runtime:
// what is fetched before and after consent, what is stored, what the runtime is given.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runBanner } from "../src/controller.js";
import { fakeDocument, fakeStorage } from "./helpers/fake-dom.js";

const SERVER = "https://surge.example.edu";
const INFO = {
  id: "wildfire",
  centre: "Example HPC Centre",
  name: "Wildfire spread",
  purpose: "forecasts of active wildfires.",
  revision: 2,
  cpuLevels: [25, 50, 75],
};

function page({
  project = "wildfire",
  info = INFO,
  storage = fakeStorage(),
  options,
  infoStatus = 200,
  runtime,
  startsAs = "running",
} = {}) {
  const doc = fakeDocument();
  const calls = [];
  const warnings = [];
  const imports = [];
  const volunteers = [];
  const fetch = async (url, init) => {
    const body = init.body ? JSON.parse(init.body) : undefined;
    calls.push({ method: init.method, url: String(url), body });
    const path = new URL(url).pathname;
    if (path === `/api/projects/${project}`) {
      if (infoStatus instanceof Error) throw infoStatus;
      return respond(infoStatus, info);
    }
    if (path === "/api/consent")
      return respond(200, { token: `tok-${calls.length}`, expiresAt: "2099-01-01T00:00:00Z" });
    return respond(204, null);
  };
  const fakeRuntime = runtime ?? {
    create(options) {
      const v = {
        options,
        started: 0,
        stops: [],
        stats: { tasksDone: 0, cpuMillis: 0 },
        async start() {
          v.started++;
          return startsAs;
        },
        stop(o) {
          v.stops.push(o);
          return Promise.resolve();
        },
      };
      volunteers.push(v);
      return v;
    },
  };
  const win = {
    location: { origin: "https://news.example.org" },
    navigator: { hardwareConcurrency: 4 },
    localStorage: storage,
    SurgeBanner: options,
    listeners: {},
    addEventListener(type, fn) {
      (this.listeners[type] ??= []).push(fn);
    },
    fire(type, event) {
      for (const fn of this.listeners[type] ?? []) fn(event);
    },
  };
  const script = {
    src: `${SERVER}/surge/banner.js`,
    getAttribute: (name) => (name === "data-project" ? project : null),
  };
  const events = [];
  for (const type of [
    "surge:consent",
    "surge:decline",
    "surge:stop",
    "surge:change",
    "surge:show",
    "surge:ready",
  ]) {
    doc.addEventListener(type, (e) => events.push(type));
  }
  const run = () =>
    runBanner({
      script,
      doc,
      win,
      fetch,
      importModule: async (url) => (imports.push(url), fakeRuntime),
      cssText: ".banner{}",
      warn: (m) => warnings.push(m),
    });
  return { doc, win, calls, warnings, imports, volunteers, events, storage, run };
}

function respond(status, body) {
  return {
    ok: status >= 200 && status < 300,
    status,
    text: async () => (body === null ? "" : JSON.stringify(body)),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

test("a first visit fetches only the project info and shows an accessible dialog", async () => {
  const p = page();
  const outside = p.doc.createElement("input");
  p.doc.body.append(outside);
  outside.focus();
  const api = await p.run();
  assert.deepEqual(
    p.calls.map((c) => `${c.method} ${c.url}`),
    [`GET ${SERVER}/api/projects/wildfire`],
  );
  assert.deepEqual(p.imports, []);
  assert.deepEqual(p.warnings, []);
  const banner = p.doc.surge("banner");
  assert.equal(banner.getAttribute("role"), "dialog");
  const title = p.doc.body.find((e) => e.id === banner.getAttribute("aria-labelledby"));
  const desc = p.doc.body.find((e) => e.id === banner.getAttribute("aria-describedby"));
  assert.match(title.textContent, /Example HPC Centre/);
  assert.match(desc.textContent, /Wildfire spread/);
  assert.match(desc.textContent, /only while this page is open/);
  assert.match(desc.textContent, /battery/);
  assert.equal(p.doc.surge("details").getAttribute("href"), `${SERVER}/surge/project/wildfire`);
  assert.equal(p.doc.activeElement, banner, "focus moves into the banner");
  assert.equal(p.doc.surge("cpu-25").checked, true, "the lowest level is preselected");
  assert.equal(api.status(), "unknown");
  assert.deepEqual(p.events, ["surge:show", "surge:ready"]);
  assert.equal(p.win.SurgeConsent, api);
});

test("accepting posts the consent, imports the runtime and starts it at the chosen level", async () => {
  const p = page();
  await p.run();
  p.doc.surge("cpu-50").click();
  p.doc.surge("accept").click();
  await settle();
  assert.equal(p.doc.surge("banner"), null);
  assert.deepEqual(p.calls[1], {
    method: "POST",
    url: `${SERVER}/api/consent`,
    body: { site: "https://news.example.org", project: "wildfire", revision: 2, cpu: 50 },
  });
  assert.deepEqual(p.imports, [`${SERVER}/surge/runtime/browser/index.js`]);
  const [v] = p.volunteers;
  assert.equal(v.started, 1);
  assert.equal(v.options.server, SERVER);
  assert.equal(v.options.cpu, 50);
  assert.equal(v.options.maxWorkers, undefined, "the duty cycle alone holds the level");
  assert.equal(
    v.options.createWorker,
    undefined,
    "the runtime starts its own workers, also cross-origin",
  );
  assert.equal(await v.options.getToken({ fresh: false }), "tok-2", "the stored token is reused");
  assert.equal(p.calls.length, 2);
  assert.equal(await v.options.getToken({ fresh: true }), "tok-3");
  const record = JSON.parse(p.storage.map.get("surge-consent:wildfire"));
  assert.equal(record.choice, "accepted");
  assert.equal(record.cpu, 50);
  assert.equal(record.token, "tok-3");
  assert.ok(p.events.includes("surge:consent"));

  const control = p.doc.surge("control");
  assert.ok(control);
  v.options.onStateChange({ state: "connected" });
  assert.match(p.doc.surge("status").textContent, /50 % CPU/);
  assert.equal(p.doc.surge("status").parent.getAttribute("aria-live"), "polite");
});

test("Stop halts the runtime at once, revokes the token and is remembered", async () => {
  const p = page();
  await p.run();
  p.doc.surge("accept").click();
  await settle();
  const [v] = p.volunteers;
  p.doc.surge("stop").click();
  assert.deepEqual(v.stops, [{ reason: "closing" }], "stopped synchronously in the click");
  await settle();
  assert.deepEqual(p.calls.at(-1), {
    method: "POST",
    url: `${SERVER}/api/consent/revoke`,
    body: { token: "tok-2" },
  });
  assert.match(p.doc.surge("status").textContent, /Stopped/);
  assert.ok(p.events.includes("surge:stop"));

  const next = page({ storage: p.storage });
  const api = await next.run();
  assert.equal(api.status(), "stopped");
  assert.equal(next.doc.surge("banner"), null, "no banner after a stop");
  assert.deepEqual(next.imports, [], "and nothing starts");
});

test("a stored acceptance starts without asking; a new revision asks again", async () => {
  const first = page();
  await first.run();
  first.doc.surge("cpu-75").click();
  first.doc.surge("accept").click();
  await settle();

  const again = page({ storage: first.storage });
  await again.run();
  await settle();
  assert.equal(again.doc.surge("banner"), null);
  assert.equal(again.volunteers[0].options.cpu, 75);
  assert.equal(again.calls.length, 1, "the stored token is reused: no new consent request");

  const revised = page({ storage: first.storage, info: { ...INFO, revision: 3 } });
  await revised.run();
  await settle();
  assert.ok(revised.doc.surge("banner"));
  assert.deepEqual(revised.imports, []);
});

test("declining posts a count, stores the choice and runs nothing", async () => {
  const p = page();
  await p.run();
  p.doc.surge("decline").click();
  await settle();
  assert.deepEqual(p.calls.at(-1), {
    method: "POST",
    url: `${SERVER}/api/consent/decline`,
    body: { site: "https://news.example.org", project: "wildfire", revision: 2 },
  });
  assert.deepEqual(p.imports, []);
  assert.equal(p.doc.surge("banner"), null);
  const next = page({ storage: p.storage });
  assert.equal((await next.run()).status(), "declined");
  assert.equal(next.doc.surge("banner"), null);
});

test("Escape closes the question without recording anything and gives focus back", async () => {
  const p = page();
  const outside = p.doc.createElement("button");
  p.doc.body.append(outside);
  outside.focus();
  await p.run();
  const banner = p.doc.surge("banner");
  const escape = new Event("keydown");
  escape.key = "Escape";
  banner.dispatchEvent(escape);
  assert.equal(p.doc.surge("banner"), null);
  assert.equal(p.doc.activeElement, outside);
  assert.equal(p.storage.map.size, 0);
  assert.equal(p.calls.length, 1);
  assert.ok((await page({ storage: p.storage }).run()).status() === "unknown");
});

test("strings can be replaced by window.SurgeBanner", async () => {
  const p = page({ options: { strings: { accept: "Ja, helfen", title: "Hilfe für {centre}?" } } });
  await p.run();
  assert.equal(p.doc.surge("accept").textContent, "Ja, helfen");
  assert.match(p.doc.surge("banner").textContent, /Hilfe für Example HPC Centre\?/);
});

test("malformed configuration: one warning, no request, no banner", async () => {
  for (const p of [page({ project: "Bad Id" }), page({ options: { strings: { nope: "x" } } })]) {
    assert.equal(await p.run(), undefined);
    assert.equal(p.warnings.length, 1);
    assert.deepEqual(p.calls, []);
    assert.deepEqual(p.doc.body.children, []);
  }
});

test("an unreachable server or bad project info: one warning, no banner", async () => {
  for (const p of [
    page({ infoStatus: new TypeError("Failed to fetch") }),
    page({ infoStatus: 404 }),
    page({ info: { ...INFO, revision: "2" } }),
  ]) {
    assert.equal(await p.run(), undefined);
    assert.equal(p.warnings.length, 1, p.warnings.join("; "));
    assert.deepEqual(p.doc.body.children, []);
  }
});

test("the runtime's manners show in the control: paused while hidden, blocked on a low battery", async () => {
  const p = page();
  await p.run();
  p.doc.surge("accept").click();
  await settle();
  const [v] = p.volunteers;
  v.options.onActivity({ activity: "paused", reason: "hidden" });
  assert.match(p.doc.surge("status").textContent, /Paused while this page is hidden/);
  assert.equal(p.doc.surge("control").getAttribute("data-state"), "paused");
  v.options.onActivity({ activity: "paused", reason: "low-battery" });
  assert.match(p.doc.surge("status").textContent, /battery is low/);
  v.options.onStateChange({ state: "connected" });
  assert.match(p.doc.surge("status").textContent, /25 % CPU/);

  const low = page({ startsAs: "blocked" });
  await low.run();
  low.doc.surge("accept").click();
  await settle();
  low.volunteers[0].options.onActivity({ activity: "blocked", reason: "low-battery" });
  assert.match(low.doc.surge("status").textContent, /low on battery/);
  assert.equal(low.doc.surge("stop").textContent, "Stop", "the acceptance can still be withdrawn");
  low.volunteers[0].options.onActivity({ activity: "blocked", reason: "save-data" });
  assert.match(low.doc.surge("status").textContent, /save data/);
  assert.deepEqual(low.warnings, []);
});

test("a runtime that fails to load is one warning and a failed status, not an exception", async () => {
  const p = page({ runtime: {} });
  await p.run();
  p.doc.surge("accept").click();
  await settle();
  assert.equal(p.warnings.length, 1);
  assert.match(p.warnings[0], /exports no create\(\)/);
  assert.match(p.doc.surge("status").textContent, /Could not start/);
});

test("blocked storage asks on every visit but still works for this page", async () => {
  const storage = fakeStorage({ broken: true });
  const p = page({ storage });
  await p.run();
  p.doc.surge("accept").click();
  await settle();
  assert.equal(p.volunteers.length, 1);
  const next = page({ storage });
  await next.run();
  assert.ok(next.doc.surge("banner"));
});

test("the API never throws and reset asks again", async () => {
  const p = page();
  const api = await p.run();
  assert.doesNotThrow(() => api.accept(33));
  assert.equal(api.acceptedCpu(), 0);
  assert.equal(p.warnings.length, 1);
  api.accept(25);
  await settle();
  assert.equal(api.acceptedCpu(), 25);
  api.reset();
  assert.equal(api.status(), "unknown");
  assert.ok(p.doc.surge("banner"));
  assert.deepEqual(p.volunteers[0].stops, [{ reason: "closing" }]);
});

test("a stop in another tab of the site stops this one at once", async () => {
  const storage = fakeStorage();
  const one = page({ storage });
  const two = page({ storage });
  await one.run();
  await two.run();
  one.doc.surge("accept").click();
  await settle();
  two.win.fire("storage", { key: "surge-consent:wildfire" });
  await settle();
  assert.ok(!two.doc.surge("banner"), "the other tab's question closes");
  assert.equal(two.volunteers.length, 1, "and it starts as a new page view would");
  one.doc.surge("stop").click();
  two.win.fire("storage", { key: "surge-consent:wildfire" });
  assert.deepEqual(two.volunteers[0].stops, [{ reason: "closing" }]);
  assert.match(two.doc.surge("status").textContent, /Stopped/);
  two.win.fire("storage", { key: "unrelated" });
  assert.equal(two.volunteers.length, 1);
});

test("accepting again at another level replaces the running volunteer", async () => {
  const p = page();
  const api = await p.run();
  api.accept(25);
  await settle();
  api.accept(75);
  await settle();
  assert.equal(p.volunteers.length, 2);
  assert.deepEqual(p.volunteers[0].stops, [{ reason: "closing" }]);
  assert.equal(p.volunteers[1].options.cpu, 75);
  assert.deepEqual(p.volunteers[1].stops, []);
  assert.equal(api.acceptedCpu(), 75);
});

test("the control shows the visitor's total on this site, counted up to the Stop", async () => {
  const p = page();
  await p.run();
  p.doc.surge("accept").click();
  await settle();
  assert.equal(p.doc.surge("progress").textContent, "0 tasks done, 0 s CPU time");
  p.volunteers[0].stats = { tasksDone: 7, cpuMillis: 65_000 };
  p.doc.surge("stop").click();
  assert.equal(JSON.parse(p.storage.map.get("surge-consent:wildfire")).contributed.tasks, 7);

  const next = page({ storage: p.storage });
  const api = await next.run();
  api.accept(25);
  await settle();
  assert.equal(next.doc.surge("progress").textContent, "7 tasks done, 1 min 5 s CPU time");
});
