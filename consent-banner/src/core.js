// The headless consent core: one visitor's choice for one project on one site, kept in
// localStorage, with DOM events for every change. No DOM building and no network here, so it runs
// (and is tested) under Node with a fake storage, clock and event target.

const DAY = 86_400_000;

/** Choices a stored record may hold. `stopped` is an acceptance the visitor withdrew. */
export const CHOICES = Object.freeze(["accepted", "declined", "stopped"]);

/**
 * @typedef {object} ConsentRecord
 * @property {"accepted"|"declined"|"stopped"} choice
 * @property {number} cpu CPU level in percent (0 unless accepted)
 * @property {number} revision the project's consent revision the visitor answered
 * @property {string} decidedAt ISO-8601
 * @property {string} expiresAt ISO-8601; the visitor is asked again after it
 * @property {string} [token] the server's consent token while accepted
 * @property {string} [tokenExpiresAt] ISO-8601
 * @property {{tasks: number, cpuMillis: number}} [contributed] all visits together
 */

/**
 * Creates the consent core for one project.
 * @param {object} options
 * @param {string} options.project project id (also the storage key suffix)
 * @param {number} options.revision the project's current consent revision (from the server)
 * @param {number[]} [options.cpuLevels] CPU levels the visitor may accept (default 25, 50, 75)
 * @param {Storage|null} [options.storage] default `globalThis.localStorage`; null or a throwing
 *   storage means the choice lasts for this page only (asked again on every visit)
 * @param {() => number} [options.now] clock in ms, default Date.now
 * @param {EventTarget|null} [options.target] where events are dispatched, default `document`
 * @param {number} [options.acceptDays] how long an acceptance lasts (default 182)
 * @param {number} [options.declineDays] how long a decline or stop lasts (default 182)
 * @param {(message: string) => void} [options.warn] default console.warn with a prefix
 */
export function createConsentCore(options) {
  const project = String(options.project);
  const revision = options.revision;
  const cpuLevels = options.cpuLevels ?? [25, 50, 75];
  const now = options.now ?? Date.now;
  const target = options.target === undefined ? globalThis.document : options.target;
  const acceptDays = options.acceptDays ?? 182;
  const declineDays = options.declineDays ?? 182;
  const warn = options.warn ?? ((m) => globalThis.console?.warn?.(`Surge banner: ${m}`));
  const key = `surge-consent:${project}`;
  let storage = options.storage === undefined ? safeLocalStorage() : options.storage;
  let memory = null; // the record when storage is unusable

  function read() {
    if (storage) {
      try {
        const text = storage.getItem(key);
        return text === null ? null : parseRecord(text);
      } catch {
        storage = null; // private mode or blocked storage: keep the choice in memory only
      }
    }
    return memory;
  }

  function write(record) {
    memory = record;
    if (!storage) return;
    try {
      if (record === null) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify(record));
    } catch {
      storage = null;
    }
  }

  /** The stored record if it still answers the current revision and has not expired. */
  function current() {
    const record = read();
    if (!record) return null;
    if (record.revision < revision) return null;
    if (Date.parse(record.expiresAt) <= now()) return null;
    return record;
  }

  function emit(type, detail) {
    if (!target?.dispatchEvent) return;
    try {
      target.dispatchEvent(new CustomEvent(type, { detail }));
    } catch (e) {
      warn(`a ${type} listener failed: ${e?.message ?? e}`);
    }
  }

  function decide(choice, cpu, days) {
    const previous = current();
    const contributed = read()?.contributed; // the visitor's total outlives each decision
    const t = now();
    const record = {
      choice,
      cpu,
      revision,
      decidedAt: new Date(t).toISOString(),
      expiresAt: new Date(t + days * DAY).toISOString(),
      ...(contributed ? { contributed } : {}),
    };
    write(record);
    const detail = { project, record: { ...record }, previous };
    emit(
      `surge:${choice === "accepted" ? "consent" : choice === "declined" ? "decline" : "stop"}`,
      detail,
    );
    emit("surge:change", detail);
    return record;
  }

  // Every public entry point goes through guard: nothing here may throw into the host page.
  const guard = guardWith(warn);

  return Object.freeze({
    project,
    revision,
    cpuLevels: Object.freeze([...cpuLevels]),

    /**
     * What the visitor decided for this revision: "accepted", "declined", "stopped", or
     * "unknown" when they must be asked (never asked, older revision, expired).
     * @returns {"accepted"|"declined"|"stopped"|"unknown"}
     */
    status: guard("status", () => current()?.choice ?? "unknown", "unknown"),

    /** @returns {boolean} true when the banner should ask */
    needsAsking: guard("needsAsking", () => current() === null, true),

    /**
     * The CPU level the visitor accepted, or 0 when nothing may run.
     * @returns {number}
     */
    acceptedCpu: guard(
      "acceptedCpu",
      () => {
        const record = current();
        return record?.choice === "accepted" ? record.cpu : 0;
      },
      0,
    ),

    /** @returns {ConsentRecord|null} a copy of the valid record, if any */
    record: guard(
      "record",
      () => {
        const record = current();
        return record ? { ...record } : null;
      },
      null,
    ),

    /** @returns {boolean} whether the choice survives this page (false: storage unusable) */
    persistent: guard("persistent", () => (read(), storage !== null), false),

    /**
     * Records an acceptance at one of the offered CPU levels.
     * @param {number} cpu
     * @returns {boolean} false (and one warning) for a level that was not offered
     */
    accept: guard(
      "accept",
      (cpu) => {
        if (!cpuLevels.includes(cpu)) {
          warn(`accept(${cpu}): the CPU level must be one of ${cpuLevels.join(", ")}`);
          return false;
        }
        decide("accepted", cpu, acceptDays);
        return true;
      },
      false,
    ),

    /** Records a decline. @returns {boolean} */
    decline: guard("decline", () => (decide("declined", 0, declineDays), true), false),

    /**
     * Withdraws an acceptance: recorded as "stopped" so nothing restarts on the next page view
     * until the visitor accepts again. Returns the token that was held, for the revoke call.
     * @returns {string|null}
     */
    stop: guard(
      "stop",
      () => {
        const token = current()?.token ?? null;
        decide("stopped", 0, declineDays);
        return token;
      },
      null,
    ),

    /**
     * Keeps the server's consent token with the acceptance (for reuse and for revoking).
     * @param {string} token
     * @param {string} [expiresAt] ISO-8601
     * @returns {boolean} false when there is no acceptance to attach it to
     */
    rememberToken: guard(
      "rememberToken",
      (token, expiresAt) => {
        const record = current();
        if (record?.choice !== "accepted" || typeof token !== "string") return false;
        write({ ...record, token, ...(expiresAt ? { tokenExpiresAt: String(expiresAt) } : {}) });
        return true;
      },
      false,
    ),

    /**
     * What this visitor computed for the project on this site, all visits together.
     * @returns {{tasks: number, cpuMillis: number}}
     */
    contribution: guard(
      "contribution",
      () => {
        const c = read()?.contributed;
        return { tasks: c?.tasks ?? 0, cpuMillis: c?.cpuMillis ?? 0 };
      },
      { tasks: 0, cpuMillis: 0 },
    ),

    /**
     * Adds finished work to the total (only while accepted).
     * @param {number} tasks
     * @param {number} cpuMillis
     * @returns {boolean}
     */
    addContribution: guard(
      "addContribution",
      (tasks, cpuMillis) => {
        const record = current();
        if (record?.choice !== "accepted" || !(tasks >= 0) || !(cpuMillis >= 0)) return false;
        const c = record.contributed ?? { tasks: 0, cpuMillis: 0 };
        write({
          ...record,
          contributed: { tasks: c.tasks + tasks, cpuMillis: c.cpuMillis + cpuMillis },
        });
        return true;
      },
      false,
    ),

    /** Forgets the choice: the visitor is asked again. Emits surge:change. @returns {boolean} */
    reset: guard(
      "reset",
      () => {
        const previous = current();
        write(null);
        emit("surge:change", { project, record: null, previous });
        return true;
      },
      false,
    ),
  });
}

/**
 * Parses a stored record; anything malformed counts as no record.
 * @param {string} text
 * @returns {ConsentRecord|null}
 */
export function parseRecord(text) {
  let r;
  try {
    r = JSON.parse(text);
  } catch {
    return null;
  }
  if (r === null || typeof r !== "object") return null;
  if (!CHOICES.includes(r.choice)) return null;
  if (!Number.isInteger(r.revision) || !Number.isFinite(r.cpu)) return null;
  if (typeof r.decidedAt !== "string" || typeof r.expiresAt !== "string") return null;
  if (Number.isNaN(Date.parse(r.expiresAt))) return null;
  if (r.token !== undefined && typeof r.token !== "string") return null;
  const c = r.contributed;
  if (c !== undefined && !(c && Number.isFinite(c.tasks) && Number.isFinite(c.cpuMillis))) {
    return null;
  }
  return r;
}

function safeLocalStorage() {
  try {
    // Reading the property itself throws in some blocked-storage modes.
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * Wraps entry points so that nothing throws into the host page: a failure is one warning and the
 * fallback value.
 * @param {(message: string) => void} warn
 * @returns {(name: string, fn: Function, fallback?: any) => Function}
 */
export function guardWith(warn) {
  return (name, fn, fallback) =>
    (...args) => {
      try {
        return fn(...args);
      } catch (e) {
        warn(`${name} failed: ${e?.message ?? e}`);
        return fallback;
      }
    };
}
