// The CPU level a volunteer holds, as a duty cycle per worker. A WASI task cannot be preempted,
// so the level is held between tasks: a worker that was busy for B ms owes B * (100 - cpu) / cpu
// ms of rest before it takes its next task. Busy fraction per task is then exactly cpu / 100,
// whatever the task's length; the cost is granularity: a task of L ms runs at 100 % for L ms and
// the level holds only over windows of several L / (cpu / 100). Time spent idle for want of work
// pays the rest off, and so does a timer that fires late, up to `creditMs` of credit, so that
// many short tasks do not lose a timer's lateness on every rest.

/** Default CPU level of a browser volunteer, in percent. */
export const DEFAULT_BROWSER_CPU = 50;

/**
 * Checks a CPU level.
 * @param {unknown} cpu percent
 * @returns {number} the level, 1..100
 * @throws {TypeError} naming the value when it is not a number in 1..100
 */
export function checkCpu(cpu) {
  if (typeof cpu !== "number" || !Number.isFinite(cpu) || cpu < 1 || cpu > 100) {
    throw new TypeError(`cpu must be a percentage from 1 to 100, got ${String(cpu)}`);
  }
  return cpu;
}

/**
 * Rest owed for `busyMs` of work at `cpu` percent.
 * @param {number} busyMs
 * @param {number} cpu 1..100
 */
export function restFor(busyMs, cpu) {
  return (busyMs * (100 - cpu)) / cpu;
}

/**
 * The rest ledger of one worker: `owed` ms of rest as of `since` (negative: credit).
 * @typedef {{owed: number, since: number}} Ledger
 */

export class DutyCycle {
  #cpu;

  /**
   * @param {{cpu?: number, creditMs?: number}} [options] cpu in percent (default 100: no rest)
   */
  constructor({ cpu = 100, creditMs = 50 } = {}) {
    this.#cpu = checkCpu(cpu);
    this.creditMs = creditMs;
  }

  get cpu() {
    return this.#cpu;
  }

  set cpu(value) {
    this.#cpu = checkCpu(value);
  }

  /** A ledger for a worker that starts rested at `now`. @returns {Ledger} */
  ledger(now) {
    return { owed: 0, since: now };
  }

  /** Rest still owed at `now`, or a negative credit. */
  owedAt(ledger, now) {
    return Math.max(-this.creditMs, ledger.owed - (now - ledger.since));
  }

  /** Milliseconds until the worker may take a task (0: now). */
  waitMs(ledger, now) {
    return Math.max(0, this.owedAt(ledger, now));
  }

  /** The worker starts a task at `now`: rest stops being paid off while it is busy. */
  started(ledger, now) {
    ledger.owed = this.owedAt(ledger, now);
    ledger.since = now;
  }

  /** The worker finished a task at `now` after `busyMs` of work. */
  finished(ledger, busyMs, now) {
    ledger.owed += restFor(busyMs, this.#cpu);
    ledger.since = now;
  }
}
