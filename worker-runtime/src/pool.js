// A pool of task workers with a local queue. Browser and Node differ only in the worker factory
// (src/browser/worker-factory.js, src/node/worker-factory.js); tests pass fakes.

import { DutyCycle } from "./duty-cycle.js";

/**
 * @typedef {object} WorkerHandle
 * @property {(message: object) => void} postMessage
 * @property {() => void} terminate
 */

/**
 * @callback WorkerFactory
 * @param {{onMessage: (data: object) => void, onError: (error: Error) => void}} handlers
 * @returns {WorkerHandle}
 */

/**
 * How a task left the pool: `done` with the worker's result, `crashed` when its worker died or
 * could not run it (release it as `worker-crashed`), `cancelled` by cancel(), `stopped` by
 * stopAll() or dropQueued().
 * @typedef {{outcome: 'done', result: object}
 *   | {outcome: 'crashed', error: Error}
 *   | {outcome: 'cancelled'}
 *   | {outcome: 'stopped'}} Outcome
 */

const keyOf = (job, index) => `${job}\u0000${index}`;

/**
 * Runs tasks on up to `size` workers, one task per worker at a time, each worker holding the CPU
 * level by resting between tasks (see duty-cycle.js).
 */
export class Pool {
  #createWorker;
  #limits;
  #duty;
  #now;
  #setTimer;
  #clearTimer;
  #restTimer = null;
  #busyMillis = 0;
  // Each slot's `entries` are the tasks its worker holds, in the order it runs them: the first
  // runs, the next (at CPU level 100 only) waits inside the worker, so that the worker starts it
  // the moment the first one ends instead of waiting for this thread to send it. On 2 busy
  // cores that wait (a result posted, this thread scheduled, the next task posted) was the larger
  // part of the time between tasks.
  /** @type {{worker: WorkerHandle, entries: object[], kernels: Set<string>, ledger: object, startedAt: number}[]} */
  #slots = [];
  #queue = [];
  #byKey = new Map();
  #nextId = 1;
  #onCheckpoint;

  /**
   * @param {object} options
   * @param {WorkerFactory} options.createWorker makes one worker
   * @param {number} [options.workers] how many workers (default: one per logical core)
   * @param {number} [options.maxWorkers] upper bound on `workers`
   * @param {{maxStdoutBytes?: number, maxStderrBytes?: number}} [options.limits] per-task limits
   * @param {number} [options.cpu] CPU level in percent each worker holds (default 100)
   * @param {() => number} [options.now] clock in ms (default performance.now)
   * @param {(fn: () => void, ms: number) => unknown} [options.setTimer] default setTimeout
   * @param {(id: unknown) => void} [options.clearTimer] default clearTimeout
   * @param {(task: object, checkpoint: {progress: number, data: string}) => void} [options.onCheckpoint]
   *   told of each checkpoint a running task's kernel saves
   */
  constructor({
    createWorker,
    workers,
    maxWorkers = Infinity,
    limits = {},
    cpu = 100,
    now = () => performance.now(),
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (id) => clearTimeout(id),
    onCheckpoint = () => {},
  }) {
    this.#onCheckpoint = onCheckpoint;
    this.#createWorker = createWorker;
    this.#duty = new DutyCycle({ cpu });
    this.#now = now;
    this.#setTimer = setTimer;
    this.#clearTimer = clearTimer;
    const wanted = workers ?? (globalThis.navigator?.hardwareConcurrency || 1);
    /** Number of workers the pool runs at most. */
    this.size = Math.max(1, Math.min(Math.floor(wanted), maxWorkers));
    this.#limits = limits;
  }

  /** Tasks executing now. */
  get running() {
    return this.#slots.reduce((n, s) => n + (s.entries.length > 0 ? 1 : 0), 0);
  }

  /** Tasks waiting to start: for a worker, or inside one behind its running task. */
  get queued() {
    return this.#slots.reduce((n, s) => n + Math.max(0, s.entries.length - 1), this.#queue.length);
  }

  /** Milliseconds workers have spent on tasks, from dispatch to reply. */
  get busyMillis() {
    let ms = this.#busyMillis;
    const now = this.#now();
    for (const s of this.#slots) if (s.entries.length > 0) ms += now - s.startedAt;
    return ms;
  }

  /** The CPU level in percent. */
  get cpu() {
    return this.#duty.cpu;
  }

  /** Changes the CPU level; resting workers follow it from their next task. */
  setCpu(cpu) {
    this.#duty.cpu = cpu;
    this.#pump();
  }

  /** Changes the limits for tasks dispatched from now on. */
  setLimits(limits) {
    this.#limits = { ...this.#limits, ...limits };
  }

  /**
   * Starts the workers not running yet, so that the first tasks do not wait for a worker to
   * start (a Node worker thread or a Web Worker takes tens of ms, about what a task fetch takes).
   * A worker that cannot be started now is started, or its error reported, by run().
   */
  prestart() {
    while (this.#slots.length < this.size) {
      try {
        this.#spawn();
      } catch {
        return;
      }
    }
  }

  /**
   * Queues a task; it runs as soon as a worker is free.
   * @param {{job: string, index: number, kernel: string}} task a task object of the protocol
   * @param {WebAssembly.Module} module its compiled kernel
   * @returns {Promise<Outcome>}
   */
  run(task, module) {
    return new Promise((resolve) => {
      const entry = { id: this.#nextId++, task, module, resolve, slot: null };
      this.#byKey.set(keyOf(task.job, task.index), entry);
      this.#queue.push(entry);
      this.#pump();
    });
  }

  /**
   * Cancels a task: drops it if queued, terminates (and later replaces) its worker if running.
   * @returns {boolean} whether the pool held the task
   */
  cancel(job, index) {
    const entry = this.#byKey.get(keyOf(job, index));
    if (!entry) return false;
    const slot = entry.slot;
    if (slot && slot.entries[0] === entry) {
      this.#retire(slot); // the only way to stop a running kernel
    } else if (slot) {
      // Waiting inside the worker: it drops it, or, if it already started it, its result is
      // ignored, as the pool no longer knows its id.
      slot.entries.splice(slot.entries.indexOf(entry), 1);
      this.#post(slot, { drop: entry.id });
    } else {
      this.#queue.splice(this.#queue.indexOf(entry), 1);
    }
    this.#settle(entry, { outcome: "cancelled" });
    this.#pump();
    return true;
  }

  /**
   * Drops every queued task but lets running ones finish.
   * @returns {object[]} the dropped tasks
   */
  dropQueued() {
    const dropped = this.#queue;
    this.#queue = [];
    for (const slot of this.#slots) {
      for (const entry of slot.entries.splice(1)) {
        this.#post(slot, { drop: entry.id });
        dropped.push(entry);
      }
    }
    for (const entry of dropped) this.#settle(entry, { outcome: "stopped" });
    return dropped.map((e) => e.task);
  }

  /**
   * Drops the queue and terminates every worker; the pool starts new workers on the next run().
   * @returns {object[]} the queued and running tasks, so they can be released
   */
  stopAll() {
    const running = this.#slots.flatMap((s) => s.entries.slice(0, 1));
    const waiting = this.#slots.flatMap((s) => s.entries.slice(1));
    this.#queue.unshift(...waiting);
    for (const slot of [...this.#slots]) this.#retire(slot, { requeue: false });
    for (const entry of running) this.#settle(entry, { outcome: "stopped" });
    this.#clearTimer(this.#restTimer);
    this.#restTimer = null;
    return [...running.map((e) => e.task), ...this.dropQueued()];
  }

  #pump() {
    this.#clearTimer(this.#restTimer);
    this.#restTimer = null;
    while (this.#queue.length > 0) {
      const now = this.#now();
      const free = this.#slots.filter((s) => s.entries.length === 0);
      let slot = free.find((s) => this.#duty.waitMs(s.ledger, now) === 0);
      if (!slot && free.length > 0 && this.#slots.length >= this.size) {
        // Every free worker is resting: come back when the first one has rested enough.
        const wait = Math.min(...free.map((s) => this.#duty.waitMs(s.ledger, now)));
        this.#restTimer = this.#setTimer(() => this.#pump(), Math.ceil(wait));
        return;
      }
      if (!slot && this.#slots.length < this.size) {
        try {
          slot = this.#spawn();
        } catch (e) {
          if (this.#slots.length > 0) return; // a busy worker will take the task later
          // Without any worker the task cannot run here; the server retries it elsewhere.
          const error = e instanceof Error ? e : new Error(String(e));
          this.#settle(this.#queue.shift(), { outcome: "crashed", error });
          continue;
        }
      }
      // Every worker is busy: at CPU level 100, give one the next task to hold behind its own.
      if (!slot && this.#duty.cpu === 100) slot = this.#slots.find((s) => s.entries.length === 1);
      if (!slot) return;
      this.#dispatch(slot, this.#queue.shift());
    }
    this.#steal();
  }

  // A worker that is free while another holds a task behind its running one takes that task:
  // tasks differ in length, and one must not wait behind a long task while a worker idles. Should
  // the other worker have started it meanwhile, it runs twice and its first result is ignored.
  #steal() {
    const now = this.#now();
    for (const free of this.#slots) {
      if (free.entries.length > 0 || this.#duty.waitMs(free.ledger, now) > 0) continue;
      const from = this.#slots.find((s) => s.entries.length > 1);
      if (!from) return;
      const entry = from.entries.pop();
      this.#post(from, { drop: entry.id });
      entry.slot = null;
      this.#dispatch(free, entry);
    }
  }

  #spawn() {
    const now = this.#now();
    const slot = { worker: null, entries: [], kernels: new Set(), ledger: null, startedAt: 0 };
    slot.ledger = this.#duty.ledger(now);
    slot.worker = this.#createWorker({
      onMessage: (data) => this.#onMessage(slot, data),
      onError: (error) => this.#onError(slot, error),
    });
    this.#slots.push(slot);
    return slot;
  }

  #dispatch(slot, entry) {
    slot.entries.push(entry);
    entry.slot = slot;
    if (slot.entries.length === 1) {
      slot.startedAt = this.#now();
      this.#duty.started(slot.ledger, slot.startedAt);
    }
    const message = { id: entry.id, task: entry.task, limits: this.#limits };
    if (!slot.kernels.has(entry.task.kernel)) {
      message.module = entry.module;
      slot.kernels.add(entry.task.kernel);
    }
    this.#post(slot, message);
  }

  #post(slot, message) {
    try {
      slot.worker.postMessage(message);
    } catch (e) {
      this.#onError(slot, e instanceof Error ? e : new Error(String(e)));
    }
  }

  #onMessage(slot, data) {
    const at = slot.entries.findIndex((e) => e.id === data?.id);
    if (at < 0) return; // a task cancelled while it waited in the worker, run all the same
    if (data.checkpoint !== undefined) {
      // The kernel saved a checkpoint and runs on: not the task's end (docs/checkpoints.md).
      return void this.#onCheckpoint(slot.entries[at].task, data.checkpoint);
    }
    // The worker runs its tasks in order, so anything before this one was dropped there.
    const [entry] = slot.entries.splice(0, at + 1).slice(-1);
    const now = this.#now();
    this.#busyMillis += now - slot.startedAt;
    this.#duty.finished(slot.ledger, now - slot.startedAt, now);
    if (data.error !== undefined) {
      // The worker could not run the task at all; a fresh worker starts from a clean state.
      this.#retire(slot);
      this.#settle(entry, { outcome: "crashed", error: new Error(data.error) });
    } else {
      if (slot.entries.length > 0) {
        // The next one started in the worker as this one ended.
        slot.startedAt = now;
        this.#duty.started(slot.ledger, now);
      }
      this.#settle(entry, { outcome: "done", result: data.result });
    }
    this.#pump();
  }

  #onError(slot, error) {
    if (!this.#slots.includes(slot)) return;
    const entry = slot.entries[0];
    this.#retire(slot);
    if (entry) this.#settle(entry, { outcome: "crashed", error });
    this.#pump();
  }

  // Terminates a slot's worker; the tasks waiting behind its running one go back to the front of
  // the queue (they never started), unless `requeue` is false.
  #retire(slot, { requeue = true } = {}) {
    if (slot.entries.length > 0) this.#busyMillis += this.#now() - slot.startedAt;
    const at = this.#slots.indexOf(slot);
    if (at >= 0) this.#slots.splice(at, 1);
    const waiting = slot.entries.splice(1);
    for (const entry of waiting) entry.slot = null;
    if (requeue) this.#queue.unshift(...waiting);
    slot.entries = [];
    try {
      slot.worker.terminate();
    } catch {
      // A worker that cannot even be terminated is gone as far as the pool is concerned.
    }
  }

  #settle(entry, outcome) {
    if (this.#byKey.get(keyOf(entry.task.job, entry.task.index)) === entry) {
      this.#byKey.delete(keyOf(entry.task.job, entry.task.index));
    }
    entry.slot = null;
    entry.resolve(outcome);
  }
}
