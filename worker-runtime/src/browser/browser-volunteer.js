// A volunteer's manners in a browser tab: it does not start on a device that says it is low on
// battery or saving data, pauses while the page is hidden, gives its tasks back when the page goes
// away, and stops for good when asked. The Volunteer underneath does the protocol.

import { DEFAULT_BROWSER_CPU } from "../duty-cycle.js";

/** Battery level below which a device that is not charging is not asked to compute. */
export const LOW_BATTERY = 0.2;

/** A battery (navigator.getBattery()) that is not charging and below LOW_BATTERY. */
function isLow(battery) {
  return !!battery && battery.charging === false && battery.level < LOW_BATTERY;
}

/**
 * Why this device should not start, or null. Checks only what the browser exposes:
 * `navigator.connection.saveData` (Chromium) and `navigator.getBattery()` (Chromium).
 * @param {Navigator|object|undefined} navigator
 * @param {{timeoutMs?: number}} [options] how long to wait for the battery (default 1 s)
 * @returns {Promise<'save-data'|'low-battery'|null>}
 */
export async function reasonNotToStart(navigator, { timeoutMs = 1000 } = {}) {
  if (navigator?.connection?.saveData === true) return "save-data";
  if (typeof navigator?.getBattery !== "function") return null;
  let timer;
  try {
    const battery = await Promise.race([
      navigator.getBattery(),
      new Promise((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs))),
    ]);
    if (isLow(battery)) return "low-battery";
  } catch {
    // A browser that refuses the battery (permissions policy) tells us nothing.
  } finally {
    clearTimeout(timer);
  }
  return null;
}

/**
 * A Volunteer with browser manners. Activities: `idle` → `checking` → `running` ⇄ `paused`, or
 * `blocked` (with `reason` `save-data` or `low-battery`; nothing was started), and `stopped`.
 * Emits `activity` (and calls `onActivity`) with `{activity, previous, reason}`; reasons:
 * `hidden`, `visible`, `closing`, `shown` (back from the back/forward cache), `low-battery` (the
 * battery ran low while it ran), `charging` (charging again or above the threshold), `stopped`,
 * `consent-refused` (the server refused the token and no `getToken` can renew it).
 */
export class BrowserVolunteer extends EventTarget {
  #o;
  #env;
  #volunteer;
  #activity = "idle";
  #pausing = Promise.resolve();
  #battery = null;

  /**
   * @param {object} options Volunteer options (see volunteer.js), plus: `token` (a consent token)
   *   or `getToken`; `cpu` (default 50); `onActivity`
   * @param {{createVolunteer: (options: object) => object, document?: object, window?: object,
   *   navigator?: object}} env how to make the Volunteer, and the page's globals (tests pass fakes)
   */
  constructor(options, env) {
    super();
    this.#o = { cpu: DEFAULT_BROWSER_CPU, ...options };
    this.#env = {
      document: globalThis.document,
      window: globalThis,
      navigator: globalThis.navigator,
      ...env,
    };
    const getToken = this.#o.getToken ?? (({ fresh }) => this.#staticToken(fresh));
    this.#volunteer = this.#env.createVolunteer({ ...this.#o, getToken });
  }

  /** idle, checking, running, paused, blocked or stopped. */
  get activity() {
    return this.#activity;
  }

  /** The Volunteer underneath: its state, events and stats. */
  get volunteer() {
    return this.#volunteer;
  }

  /** Tasks done, CPU ms and the rest: see Volunteer#stats. */
  get stats() {
    return this.#volunteer.stats;
  }

  /** Changes the CPU level (1..100). @throws {TypeError} outside 1..100 */
  setCpu(cpu) {
    this.#volunteer.setCpu(cpu);
  }

  /**
   * Starts unless the device asks not to; resolves with the activity it reached: `running`,
   * `paused` (the page is hidden now), `blocked` or `stopped` (stop() was called meanwhile).
   * @returns {Promise<string>}
   */
  async start() {
    if (this.#activity !== "idle") return this.#activity;
    this.#set("checking");
    const reason = await reasonNotToStart(this.#env.navigator);
    if (this.#activity !== "checking") return this.#activity;
    if (reason) {
      this.#set("blocked", reason);
      return this.#activity;
    }
    this.#env.document?.addEventListener?.("visibilitychange", this.#onVisibility);
    this.#env.window?.addEventListener?.("pagehide", this.#onPageHide);
    this.#env.window?.addEventListener?.("pageshow", this.#onPageShow);
    this.#watchBattery();
    if (this.#hidden()) {
      this.#set("paused", "hidden");
    } else {
      this.#volunteer.start();
      this.#set("running");
    }
    return this.#activity;
  }

  /**
   * Stops for good: terminates the workers at once, releases every held task and closes the
   * socket. Resolves when the socket is closed (3 s at most); never rejects.
   * @returns {Promise<void>}
   */
  stop({ reason = "stopped" } = {}) {
    if (this.#activity === "stopped") return Promise.resolve();
    this.#unlisten();
    this.#set("stopped", reason);
    return this.#volunteer.stop({ reason: reason === "closing" ? "closing" : "paused" });
  }

  #onVisibility = () => {
    if (this.#hidden()) this.#pause("hidden", "paused");
    else this.#resume("visible");
  };

  // Sent synchronously from here: the release and the close frame leave before the page goes.
  #onPageHide = () => this.#pause("closing", "closing", true);

  #onPageShow = (event) => {
    if (event?.persisted) this.#resume("shown");
  };

  // A battery that runs low while the volunteer works pauses it (its tasks go back at once) until
  // the device charges or the level is back above the threshold.
  #onBattery = () => {
    if (this.#lowBattery()) this.#pause("low-battery", "paused");
    else this.#resume("charging");
  };

  async #watchBattery() {
    if (typeof this.#env.navigator?.getBattery !== "function") return;
    try {
      const battery = await this.#env.navigator.getBattery();
      if (this.#activity === "stopped" || typeof battery?.addEventListener !== "function") return;
      this.#battery = battery;
      battery.addEventListener("levelchange", this.#onBattery);
      battery.addEventListener("chargingchange", this.#onBattery);
    } catch {
      // No battery to watch (refused by a permissions policy).
    }
  }

  #lowBattery() {
    return isLow(this.#battery);
  }

  #pause(reason, release, always = false) {
    if (this.#activity !== "running" && !(always && this.#activity === "paused")) return;
    this.#set("paused", reason);
    this.#pausing = this.#volunteer.stop({ reason: release });
  }

  async #resume(reason) {
    if (this.#activity !== "paused") return;
    const pausing = this.#pausing;
    await pausing;
    if (this.#activity !== "paused" || this.#pausing !== pausing) return;
    if (this.#hidden() || this.#lowBattery()) return;
    this.#volunteer.start();
    this.#set("running", reason);
  }

  #staticToken(fresh) {
    if (!fresh) return this.#o.token;
    // The server refused the token (revoked or expired): only the banner can ask the person again.
    queueMicrotask(() => this.stop({ reason: "consent-refused" }));
    throw new Error("the server refused the consent token");
  }

  #hidden() {
    return this.#env.document?.visibilityState === "hidden";
  }

  #unlisten() {
    this.#env.document?.removeEventListener?.("visibilitychange", this.#onVisibility);
    this.#env.window?.removeEventListener?.("pagehide", this.#onPageHide);
    this.#env.window?.removeEventListener?.("pageshow", this.#onPageShow);
    this.#battery?.removeEventListener?.("levelchange", this.#onBattery);
    this.#battery?.removeEventListener?.("chargingchange", this.#onBattery);
    this.#battery = null;
  }

  #set(activity, reason) {
    const previous = this.#activity;
    this.#activity = activity;
    const detail = { activity, previous, ...(reason ? { reason } : {}) };
    try {
      this.#o.onActivity?.(detail);
    } catch {
      // The host's handler failed; that must not stop the volunteer.
    }
    try {
      this.dispatchEvent(new CustomEvent("activity", { detail }));
    } catch {
      // As above, for listeners.
    }
  }
}
