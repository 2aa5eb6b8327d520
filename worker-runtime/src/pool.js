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
  /** @type {{worker: WorkerHandle, entry: object|null, kernels: Set<string>, ledger: object, startedAt: number}[]} */
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
    return this.#slots.reduce((n, s) => n + (s.entry ? 1 : 0), 0);
  }

  /** Tasks waiting for a worker. */
  get queued() {
    return this.#queue.length;
  }

  /** Milliseconds workers have spent on tasks, from dispatch to reply. */
  get busyMillis() {
    let ms = this.#busyMillis;
    const now = this.#now();
    for (const s of this.#slots) if (s.entry) ms += now - s.startedAt;
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
    if (entry.slot) this.#retire(entry.slot);
    else this.#queue.splice(this.#queue.indexOf(entry), 1);
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
    for (const entry of dropped) this.#settle(entry, { outcome: "stopped" });
    return dropped.map((e) => e.task);
  }

  /**
   * Drops the queue and terminates every worker; the pool starts new workers on the next run().
   * @returns {object[]} the queued and running tasks, so they can be released
   */
  stopAll() {
    const running = this.#slots.filter((s) => s.entry).map((s) => s.entry);
    for (const slot of [...this.#slots]) this.#retire(slot);
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
      const free = this.#slots.filter((s) => !s.entry);
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
      if (!slot) return;
      this.#dispatch(slot, this.#queue.shift());
    }
  }

  #spawn() {
    const now = this.#now();
    const slot = { worker: null, entry: null, kernels: new Set(), ledger: null, startedAt: 0 };
    slot.ledger = this.#duty.ledger(now);
    slot.worker = this.#createWorker({
      onMessage: (data) => this.#onMessage(slot, data),
      onError: (error) => this.#onError(slot, error),
    });
    this.#slots.push(slot);
    return slot;
  }

  #dispatch(slot, entry) {
    slot.entry = entry;
    entry.slot = slot;
    slot.startedAt = this.#now();
    this.#duty.started(slot.ledger, slot.startedAt);
    const message = { id: entry.id, task: entry.task, limits: this.#limits };
    if (!slot.kernels.has(entry.task.kernel)) {
      message.module = entry.module;
      slot.kernels.add(entry.task.kernel);
    }
    try {
      slot.worker.postMessage(message);
    } catch (e) {
      this.#onError(slot, e instanceof Error ? e : new Error(String(e)));
    }
  }

  #onMessage(slot, data) {
    const entry = slot.entry;
    if (!entry || data?.id !== entry.id) return;
    if (data.checkpoint !== undefined) {
      // The kernel saved a checkpoint and runs on: not the task's end (docs/checkpoints.md).
      return void this.#onCheckpoint(entry.task, data.checkpoint);
    }
    slot.entry = null;
    const now = this.#now();
    this.#busyMillis += now - slot.startedAt;
    this.#duty.finished(slot.ledger, now - slot.startedAt, now);
    if (data.error !== undefined) {
      // The worker could not run the task at all; a fresh worker starts from a clean state.
      this.#retire(slot);
      this.#settle(entry, { outcome: "crashed", error: new Error(data.error) });
    } else {
      this.#settle(entry, { outcome: "done", result: data.result });
    }
    this.#pump();
  }

  #onError(slot, error) {
    if (!this.#slots.includes(slot)) return;
    const entry = slot.entry;
    this.#retire(slot);
    if (entry) this.#settle(entry, { outcome: "crashed", error });
    this.#pump();
  }

  #retire(slot) {
    if (slot.entry) this.#busyMillis += this.#now() - slot.startedAt;
    const at = this.#slots.indexOf(slot);
    if (at >= 0) this.#slots.splice(at, 1);
    slot.entry = null;
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
