// The banner's behaviour: configuration, project info, the question, starting and stopping the
// runtime. Before the visitor accepts, the only request is GET /api/projects/{project} (and
// banner.css where adoptedStyleSheets is missing): no socket, no worker, no runtime import.
// Nothing here throws into the host page; each failure is one console warning and no banner.

import { createConsentCore, guardWith } from "./core.js";
import { readEmbedConfig, readPageOptions, readProjectInfo } from "./config.js";
import { STRINGS } from "./strings.js";
import { createUi } from "./ui.js";
import { createVolunteer, runtimePath } from "./runtime.js";

const TIMEOUT_MS = 10_000;

// Reading window.localStorage itself throws where storage is blocked: the choice then lasts for
// this page only.
function storageOf(win) {
  try {
    return win.localStorage ?? null;
  } catch {
    return null;
  }
}

function httpClient(fetch) {
  // No keepalive: Chromium refuses it on a request that needs a CORS preflight, and a JSON POST
  // to another origin does.
  return async (method, url, body) => {
    const response = await fetch(url, {
      method,
      credentials: "omit",
      headers: body ? { "content-type": "application/json", accept: "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout?.(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}`);
    const text = await response.text();
    return text === "" ? null : JSON.parse(text);
  };
}

/**
 * Runs the banner for one embed. Everything from the page comes in through `env`, so the tests
 * drive it with fakes.
 * @param {object} env
 * @param {HTMLScriptElement|null} env.script the embed's own <script>
 * @param {Document} env.doc
 * @param {typeof globalThis} env.win location, navigator, addEventListener, SurgeBanner
 * @param {typeof fetch} env.fetch
 * @param {(url: string) => Promise<object>} env.importModule dynamic import()
 * @param {string} env.cssText
 * @param {(message: string) => void} env.warn
 * @returns {Promise<object|null>} the public API, or null when no banner runs
 */
export async function runBanner({ script, doc, win, fetch, importModule, cssText, warn }) {
  const http = httpClient(fetch);
  const fireAndForget = (url, body) => http("POST", url, body).catch(() => {});
  const embed = readEmbedConfig({
    project: script?.getAttribute("data-project"),
    server: script?.getAttribute("data-server"),
    src: script?.src,
  });
  if (!embed.ok) return void warn(embed.reason);
  const page = readPageOptions(win.SurgeBanner);
  if (!page.ok) return void warn(page.reason);
  const { project, server } = embed.value;

  let info;
  try {
    info = readProjectInfo(await http("GET", `${server}/api/projects/${project}`), embed.value);
  } catch (e) {
    return void warn(`no banner: project info unavailable (${e?.message ?? e})`);
  }
  if (!info.ok) return void warn(`no banner: ${info.reason}`);
  info = info.value;

  const core = createConsentCore({
    project,
    revision: info.revision,
    cpuLevels: info.cpuLevels,
    storage: storageOf(win),
    target: doc,
    warn,
  });
  const ui = createUi({
    doc,
    info,
    strings: { ...STRINGS, ...page.value.strings },
    cssText,
    cssUrl: `${server}/surge/banner.css`,
  });
  const site = win.location.origin;
  const emit = (type, detail = {}) => doc.dispatchEvent(new CustomEvent(type, { detail }));

  let volunteer = null;
  let running = false; // from start() until halt(), also while the runtime is still loading
  let run = 0; // bumped by every stop: a start still importing the runtime then gives up
  let tokenCache = null;

  async function getToken({ fresh } = { fresh: false }) {
    const record = core.record();
    const cpu = core.acceptedCpu();
    if (!cpu) throw new Error("consent withdrawn");
    const expires = Date.parse(record?.tokenExpiresAt ?? "") || Infinity;
    if (!fresh && record?.token && Date.now() < expires - 60_000) return record.token;
    const answer = await http("POST", `${server}/api/consent`, {
      site,
      project,
      revision: info.revision,
      cpu,
    });
    if (typeof answer?.token !== "string") throw new Error("POST /api/consent gave no token");
    tokenCache = answer.token;
    core.rememberToken(answer.token, answer.expiresAt);
    return answer.token;
  }

  // The control shows the visitor's total on this site; this volunteer's stats are added to it
  // at most once a second.
  let progressTimer = null;
  let counted = { tasksDone: 0, cpuMillis: 0 };
  const showTotal = () => {
    const { tasks, cpuMillis } = core.contribution();
    ui.setProgress({ tasksDone: tasks, cpuMillis });
  };
  const showProgress = () => {
    progressTimer ??= setTimeout(() => {
      progressTimer = null;
      const stats = volunteer?.stats;
      if (!stats) return;
      core.addContribution(
        stats.tasksDone - counted.tasksDone,
        stats.cpuMillis - counted.cpuMillis,
      );
      counted = { tasksDone: stats.tasksDone, cpuMillis: stats.cpuMillis };
      showTotal();
      emit("surge:progress", { project, ...stats, total: core.contribution() });
    }, 1000);
  };

  async function start(cpu) {
    halt(); // one volunteer per page, also when accept() is called again at another level
    const mine = ++run;
    running = true;
    ui.showControl({ onStop: stop, onAgain: showBanner });
    ui.setStatus("connecting");
    counted = { tasksDone: 0, cpuMillis: 0 };
    showTotal();
    try {
      await getToken({ fresh: false });
      const runtime = await importModule(`${server}${runtimePath}`);
      if (mine !== run) return;
      volunteer = createVolunteer(runtime, {
        server,
        cpu,
        getToken,
        onStateChange: ({ state }) => {
          if (mine !== run) return;
          if (state === "connected") ui.setStatus("running", { cpu });
          else if (state === "connecting" || state === "disconnected") ui.setStatus("connecting");
        },
        onActivity: ({ activity, reason }) => {
          if (mine !== run) return;
          if (activity === "paused") {
            ui.setStatus(reason === "low-battery" ? "pausedLowBattery" : "paused");
          } else if (activity === "blocked") {
            ui.setStatus(reason === "low-battery" ? "blockedLowBattery" : "blockedSaveData");
          }
        },
        onTaskDone: showProgress,
      });
      await volunteer.start();
    } catch (e) {
      if (mine !== run) return;
      running = false;
      warn(`could not start computing: ${e?.message ?? e}`);
      ui.setStatus("failed");
    }
  }

  function halt() {
    run++;
    running = false;
    const v = volunteer;
    volunteer = null;
    const stats = v?.stats;
    if (stats) {
      // What finished since the last tick still counts (while the acceptance stands).
      core.addContribution(
        stats.tasksDone - counted.tasksDone,
        stats.cpuMillis - counted.cpuMillis,
      );
      counted = { tasksDone: stats.tasksDone, cpuMillis: stats.cpuMillis };
    }
    try {
      v?.stop?.({ reason: "closing" });
    } catch (e) {
      warn(`stopping the runtime failed: ${e?.message ?? e}`);
    }
  }

  function stop() {
    halt();
    const token = core.stop() ?? tokenCache;
    ui.setStatus("stopped");
    if (token) fireAndForget(`${server}/api/consent/revoke`, { token });
  }

  function accept(cpu) {
    if (core.accept(cpu)) start(cpu);
  }

  function decline() {
    halt();
    ui.hideControl();
    core.decline();
    fireAndForget(`${server}/api/consent/decline`, { site, project, revision: info.revision });
  }

  function showBanner() {
    ui.showBanner({
      onAccept: accept,
      onDecline: decline,
      onDismiss: () => emit("surge:dismiss", { project }),
    });
    emit("surge:show", { project });
  }

  // The page lifecycle: leaving gives the tasks back; a page restored from the back/forward cache
  // resumes if the visitor still agrees.
  win.addEventListener?.("pagehide", () => running && halt());
  // Another tab of the same site decided: a stop there stops here at once, a decision there
  // closes the question here, an acceptance there starts here as a new page view would.
  win.addEventListener?.("storage", (e) => {
    if (e.key !== null && e.key !== `surge-consent:${project}`) return;
    const cpu = core.acceptedCpu();
    if (!cpu && running) {
      halt();
      ui.setStatus("stopped");
    } else if (cpu && !running) {
      ui.hideBanner();
      start(cpu);
    } else if (!core.needsAsking()) {
      ui.hideBanner();
    }
  });
  win.addEventListener?.("pageshow", (e) => {
    if (e.persisted && !running && core.acceptedCpu()) start(core.acceptedCpu());
  });
  // Any element of the host page with data-surge-open reopens the question.
  doc.addEventListener("click", (e) => {
    if (e.target?.closest?.("[data-surge-open]")) guarded("open", showBanner)();
  });

  const guarded = guardWith(warn);

  const api = Object.freeze({
    version: "0.1.0",
    project,
    /** @returns {"accepted"|"declined"|"stopped"|"unknown"} */
    status: core.status,
    /** @returns {number} the accepted CPU level, 0 when nothing may run */
    acceptedCpu: core.acceptedCpu,
    /** Accepts at an offered CPU level and starts computing. @param {number} cpu */
    accept: guarded("accept", (cpu) => void accept(cpu)),
    /** Declines; nothing runs. */
    decline: guarded("decline", () => void decline()),
    /** Stops at once and withdraws the acceptance. */
    stop: guarded("stop", () => void (core.acceptedCpu() ? stop() : halt())),
    /** Stops anything running, forgets the choice and asks again. */
    reset: guarded("reset", () => {
      if (core.acceptedCpu()) stop();
      ui.hideControl();
      core.reset();
      showBanner();
    }),
    /** Shows the question again (e.g. from a "volunteer computing" link). */
    show: guarded("show", showBanner),
  });

  win.SurgeConsent = api;
  // Without `defer` a script in <head> may get here before <body> exists.
  if (doc.readyState === "loading") {
    await new Promise((resolve) =>
      doc.addEventListener("DOMContentLoaded", resolve, { once: true }),
    );
  }
  const cpu = core.acceptedCpu();
  if (cpu) start(cpu);
  else if (core.needsAsking()) showBanner();
  emit("surge:ready", { project, status: core.status() });
  return api;
}
