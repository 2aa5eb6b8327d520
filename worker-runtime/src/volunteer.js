// The volunteer: the same orchestration in a browser tab and a headless Node process. It pulls
// work as the server's welcome says (batch/prefetchBelow), runs tasks on the pool, and sends
// results in batches, since at thousands of short tasks a second the per-message cost dominates.

import * as protocol from "./protocol.js";
import { Transport } from "./transport.js";
import { KernelCache } from "./kernel-cache.js";
import { Pool } from "./pool.js";
import { CheckpointSender } from "./checkpoint-sender.js";
import { DEFAULT_MAX_STDERR_BYTES, DEFAULT_MAX_STDOUT_BYTES } from "./run-kernel.js";

/** Runtime name and version sent in `hello`. */
export const AGENT = "surge-volunteer/0.1";

// Room for the JSON around the base64 in one results message.
const ENVELOPE_BYTES = 1024;
const RESULT_OVERHEAD_BYTES = 256;

/**
 * The `ws(s)://` URL of the volunteer endpoint of an `http(s)://` server.
 * @param {string} server
 */
export function volunteerUrl(server) {
  const url = new URL("volunteer", server.endsWith("/") ? server : `${server}/`);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/**
 * A volunteer connection. States: `stopped` → `connecting` → `connected` (welcomed) →
 * `disconnected` (waiting to reconnect) → … → `stopping` → `stopped`.
 *
 * Events (as DOM events with `detail`, and as the matching callback options):
 * `statechange` / onStateChange `{state, previous, session?, code?, reason?, delayMs?}`,
 * `taskdone` / onTaskDone `{job, index, status, exitCode, millis}`,
 * `stats` / onStats: `stats` after every task,
 * `warning` / onWarning `{message}`.
 */
export class Volunteer extends EventTarget {
  #o;
  #transport;
  #kernels;
  #pool;
  #state = "stopped";
  #welcome = null;
  #outstanding = 0; // tasks requested and not yet received
  #current = new Set(); // tasks leased on the current connection and not yet answered
  #waiting = new Map(); // kernel sha256 → tasks waiting for it to be fetched
  #timedOut = new WeakSet();
  #limitTimers = new Map(); // task → timer of its wall-time limit (the task's timeoutMs)
  #overLimit = new WeakSet();
  #pending = []; // results not yet sent
  #pendingBytes = 0;
  #flushTimer = null;
  #stopHeartbeat = () => {};
  #seq = 0;
  #lastBeat = 0; // Date.now() of the last heartbeat (or of the welcome)
  #stopping = null;
  #stats = { tasksDone: 0, tasksFailed: 0, cpuMillis: 0 };
  #checkpoints;

  /**
   * @param {object} options
   * @param {string} options.server `http(s)://HOST:PORT` of the offload server
   * @param {(request: {fresh: boolean}) => Promise<string>|string} [options.getToken] consent
   *   token for each (re)connect; `fresh` after the server refused the last one (see consent.js)
   * @param {string} [options.key] a volunteer key from the centre's operator, instead of getToken
   *   (headless machines of the centre: `surge-volunteer --key`)
   * @param {import('./pool.js').WorkerFactory} options.createWorker
   * @param {typeof WebSocket} [options.WebSocket] default: the global WebSocket
   * @param {number} [options.workers] default: one per logical core
   * @param {number} [options.maxWorkers] cap on workers
   * @param {number} [options.cpu] CPU level in percent (1..100, default 100) that every worker
   *   holds by resting between tasks (duty-cycle.js)
   * @param {string} [options.agent]
   * @param {number} [options.maxStdoutBytes] default 4 MiB (also kept under maxMessageBytes)
   * @param {number} [options.maxStderrBytes] default 64 KiB, the tail is kept
   * @param {number} [options.resultBatchSize] send results once this many are ready (default 32)
   * @param {number} [options.resultFlushMs] …or this long after the first one (default 5)
   * @param {boolean} [options.checkpoints] let kernels save checkpoints when the server takes
   *   them (default true; docs/checkpoints.md)
   * @param {number} [options.taskTimeoutMs] give up on (release as `timeout`) tasks running
   *   longer; 0 (default) never. Apart from this, every task stops at its own limit, the
   *   `timeoutMs` the server sent with it (reported as a `trap`)
   * @param {{initialMs?: number, maxMs?: number, jitter?: number}} [options.backoff]
   * @param {typeof fetch} [options.fetch]
   * @param {string} [options.url] override the WebSocket URL derived from `server`
   * @param {(fn: () => void, ms: number) => () => void} [options.heartbeatTimer] repeating timer
   *   for heartbeats, returning its stop function (default: setInterval)
   * @param {(detail: object) => void} [options.onStateChange]
   * @param {(detail: object) => void} [options.onTaskDone]
   * @param {(stats: object) => void} [options.onStats] after every task, with `stats`
   * @param {(detail: {message: string}) => void} [options.onWarning]
   * @throws {TypeError} for missing required options: the only exception this class throws
   */
  constructor(options) {
    super();
    for (const name of ["server", "createWorker"]) {
      if (!options?.[name]) throw new TypeError(`Volunteer: option ${name} is required`);
    }
    if (!options.getToken === !options.key) {
      throw new TypeError("Volunteer: exactly one of the options getToken and key is required");
    }
    const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
    if (!WebSocketImpl) throw new TypeError("Volunteer: option WebSocket is required here");
    this.#o = {
      agent: AGENT,
      maxStdoutBytes: DEFAULT_MAX_STDOUT_BYTES,
      maxStderrBytes: DEFAULT_MAX_STDERR_BYTES,
      resultBatchSize: 32,
      resultFlushMs: 5,
      taskTimeoutMs: 0,
      checkpoints: true,
      heartbeatTimer: (fn, ms) => {
        const id = setInterval(fn, ms);
        return () => clearInterval(id);
      },
      ...options,
    };
    this.#kernels = new KernelCache({ server: options.server, fetch: options.fetch });
    this.#pool = new Pool({
      createWorker: options.createWorker,
      workers: options.workers,
      maxWorkers: options.maxWorkers,
      cpu: options.cpu,
      onCheckpoint: (task, checkpoint) => this.#guard(() => this.#onCheckpoint(task, checkpoint)),
    });
    this.#checkpoints = new CheckpointSender({ send: (m) => this.#transport.send(m) });
    this.#transport = new Transport({
      url: options.url ?? volunteerUrl(options.server),
      WebSocket: WebSocketImpl,
      getToken: options.key ? undefined : options.getToken,
      backoff: options.backoff,
      onOpen: ({ token }) => this.#onOpen(token),
      onMessage: (m) => this.#guard(() => this.#onMessage(m)),
      onInvalid: (p) => this.#warn(`server sent an invalid message (${p.kind}): ${p.reason}`),
      onClose: (info) => this.#guard(() => this.#onClose(info)),
    });
  }

  /** The current state: stopped, connecting, connected, disconnected or stopping. */
  get state() {
    return this.#state;
  }

  /** Number of workers this volunteer runs tasks on. */
  get workers() {
    return this.#pool.size;
  }

  /** The CPU level in percent. */
  get cpu() {
    return this.#pool.cpu;
  }

  /**
   * Changes the CPU level (1..100) from each worker's next task on.
   * @throws {TypeError} for a level outside 1..100
   */
  setCpu(cpu) {
    this.#pool.setCpu(cpu);
  }

  /**
   * Counters for a banner: tasks done (and of those failed), CPU ms the kernels ran
   * (`cpuMillis`), ms the workers were busy including messaging (`busyMillis`), the CPU level,
   * the worker count and the work in hand.
   */
  get stats() {
    return {
      ...this.#stats,
      checkpointsSent: this.#checkpoints.sent,
      busyMillis: Math.round(this.#pool.busyMillis),
      cpu: this.#pool.cpu,
      workers: this.#pool.size,
      running: this.#pool.running,
      queued: this.#pool.queued + this.#waitingCount(),
      session: this.#welcome?.session ?? null,
    };
  }

  /** Connects and starts taking work. Does nothing unless stopped. */
  start() {
    if (this.#state !== "stopped") return;
    this.#setState("connecting");
    this.#transport.start();
  }

  /**
   * Gives back every task this connection holds (`release` with the reason), sends the results
   * already computed, and closes with 1000. Resolves when closed; never rejects.
   * @param {{reason?: 'paused'|'closing'}} [options]
   * @returns {Promise<void>}
   */
  stop({ reason = "paused" } = {}) {
    if (this.#state === "stopped") return Promise.resolve();
    this.#stopping ??= this.#stop(reason).catch((e) => this.#warn(`stop failed: ${e.message}`));
    return this.#stopping;
  }

  async #stop(reason) {
    this.#setState("stopping", { reason });
    this.#stopHeartbeat();
    for (const timer of this.#limitTimers.values()) clearTimeout(timer);
    this.#limitTimers.clear();
    const held = [...this.#pool.stopAll(), ...[...this.#waiting.values()].flat()];
    this.#waiting.clear();
    this.#checkpoints.clear();
    const toRelease = held.filter((t) => this.#current.has(t));
    this.#current.clear();
    this.#flush();
    if (toRelease.length > 0) this.#transport.send(protocol.release(toRelease, reason));
    await this.#transport.close(1000, reason);
    clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    this.#welcome = null;
    this.#outstanding = 0;
    this.#stopping = null;
    this.#setState("stopped", { reason });
  }

  #onOpen(token) {
    if (this.#state === "stopping" || this.#state === "stopped") return;
    this.#setState("connecting");
    const credential = this.#o.key ? { key: this.#o.key } : { token };
    this.#transport.send(
      protocol.hello({ ...credential, agent: this.#o.agent, workers: this.#pool.size }),
    );
  }

  #onMessage(message) {
    if (this.#state === "stopping" || this.#state === "stopped") return;
    switch (message.type) {
      case "welcome":
        return this.#onWelcome(message);
      case "tasks":
        return this.#onTasks(message.tasks);
      case "cancel":
        return this.#onCancel(message.tasks);
      case "error":
        return this.#warn(`server error ${message.code}: ${message.message}`);
      default:
        return this.#warn(`unexpected ${message.type} from the server`);
    }
  }

  #onWelcome(welcome) {
    this.#welcome = welcome;
    this.#outstanding = 0;
    this.#seq = 0;
    this.#transport.resetBackoff();
    this.#pool.setLimits(this.#limitsFor(welcome.maxMessageBytes));
    this.#stopHeartbeat();
    this.#lastBeat = Date.now();
    this.#stopHeartbeat = this.#o.heartbeatTimer(() => this.#beat(), welcome.heartbeatMs);
    this.#setState("connected", { session: welcome.session });
    this.#flush(); // results finished while disconnected
    this.#maybeRequest();
    // The workers start while the first tasks and their kernel are on their way.
    this.#pool.prestart();
  }

  // One result must fit in one message: base64 grows output by 4/3. So must one checkpoint.
  #limitsFor(maxMessageBytes) {
    const budget = Math.max(0, Math.floor(((maxMessageBytes - ENVELOPE_BYTES) * 3) / 4));
    const maxStderrBytes = Math.min(this.#o.maxStderrBytes, Math.floor(budget / 16));
    const maxStdoutBytes = Math.min(this.#o.maxStdoutBytes, budget - maxStderrBytes);
    const { checkpointMs = 0, maxCheckpointBytes = 0 } = this.#welcome ?? {};
    if (!this.#o.checkpoints || !(checkpointMs > 0)) {
      return { maxStdoutBytes, maxStderrBytes, checkpointMs: 0 };
    }
    return {
      maxStdoutBytes,
      maxStderrBytes,
      checkpointMs,
      maxCheckpointBytes: Math.min(maxCheckpointBytes, budget),
    };
  }

  // A running task's kernel saved a checkpoint: sent while the task is still ours to answer.
  #onCheckpoint(task, checkpoint) {
    if (this.#state !== "connected" || !this.#current.has(task)) return;
    this.#checkpoints.offer(task, checkpoint, this.#welcome.checkpointMs);
  }

  /**
   * A heartbeat every heartbeatMs while the volunteer holds a task (it renews the leases); while it
   * holds none, one every idleHeartbeatMs if the welcome set it (PROTOCOL.md): it only says the
   * volunteer is still there. Counted in wall time, so a throttled timer in a background tab
   * beats late rather than missing the idle interval by a multiple.
   */
  #beat() {
    const { heartbeatMs, idleHeartbeatMs = 0 } = this.#welcome;
    const now = Date.now();
    if (this.#current.size === 0 && now - this.#lastBeat < idleHeartbeatMs - heartbeatMs / 2)
      return;
    this.#lastBeat = now;
    this.#transport.send(protocol.heartbeat(this.#seq++, this.#pool.running));
  }

  #onTasks(tasks) {
    this.#outstanding = Math.max(0, this.#outstanding - tasks.length);
    for (const task of tasks) {
      this.#current.add(task);
      this.#watchLimit(task);
      const module = this.#kernels.peek(task.kernel);
      if (module) this.#run(task, module);
      else this.#awaitKernel(task);
    }
    this.#maybeRequest();
  }

  // The server counts a task's limit from the moment it leased it and takes the task back then,
  // whatever heartbeats say (PROTOCOL.md, "Limits"). A worker still running it past that point
  // only burns the volunteer's CPU: it is terminated and the task reported as a trap.
  #watchLimit(task) {
    if (!(task.timeoutMs > 0)) return;
    const timer = setTimeout(() => this.#guard(() => this.#onLimit(task)), task.timeoutMs);
    this.#limitTimers.set(task, timer);
  }

  #unwatchLimit(task) {
    clearTimeout(this.#limitTimers.get(task));
    this.#limitTimers.delete(task);
  }

  #onLimit(task) {
    this.#limitTimers.delete(task);
    this.#overLimit.add(task);
    for (const list of this.#waiting.values()) {
      const at = list.indexOf(task);
      if (at < 0) continue;
      list.splice(at, 1); // still waiting for its kernel: nothing to terminate
      if (this.#current.delete(task)) this.#reportOverLimit(task);
      this.#maybeRequest();
      return;
    }
    this.#pool.cancel(task.job, task.index); // #onOutcome reports it
  }

  #reportOverLimit(task) {
    const text = `surge: the task ran past its time limit of ${task.timeoutMs} ms; its worker was terminated\n`;
    const stderr = new TextEncoder().encode(text);
    this.#addResult(
      protocol.result(task, {
        status: "trap",
        exitCode: -1,
        stdout: new Uint8Array(0),
        stderr,
        millis: task.timeoutMs,
      }),
    );
  }

  #awaitKernel(task) {
    const list = this.#waiting.get(task.kernel);
    if (list) return void list.push(task);
    this.#waiting.set(task.kernel, [task]);
    const sha = task.kernel;
    // Whichever list waits for this kernel when the fetch ends is served, so tasks dropped by a
    // reconnect in between are not run.
    const take = () => {
      const tasks = this.#waiting.get(sha) ?? [];
      this.#waiting.delete(sha);
      return tasks;
    };
    this.#kernels.get(sha).then(
      (module) => this.#guard(() => take().forEach((t) => this.#run(t, module))),
      (error) =>
        this.#guard(() => {
          const tasks = take().filter((t) => this.#current.delete(t));
          tasks.forEach((t) => this.#unwatchLimit(t));
          this.#warn(error.message);
          if (tasks.length) this.#transport.send(protocol.release(tasks, "kernel-unavailable"));
          this.#maybeRequest();
        }),
    );
  }

  #run(task, module) {
    let timer = null;
    if (this.#o.taskTimeoutMs > 0) {
      timer = setTimeout(() => {
        this.#timedOut.add(task);
        this.#pool.cancel(task.job, task.index);
      }, this.#o.taskTimeoutMs);
    }
    this.#pool.run(task, module).then((outcome) => {
      clearTimeout(timer);
      this.#guard(() => this.#onOutcome(task, outcome));
    });
  }

  #onOutcome(task, outcome) {
    this.#unwatchLimit(task);
    this.#checkpoints.forget(task);
    const ours = this.#current.delete(task);
    if (outcome.outcome === "cancelled" && this.#overLimit.has(task)) {
      if (ours) this.#reportOverLimit(task);
    } else if (outcome.outcome === "done") {
      this.#addResult(protocol.result(task, outcome.result));
    } else if (outcome.outcome === "crashed") {
      this.#warn(`worker crashed running ${task.job}/${task.index}: ${outcome.error?.message}`);
      if (ours) this.#transport.send(protocol.release([task], "worker-crashed"));
    } else if (outcome.outcome === "cancelled" && this.#timedOut.has(task) && ours) {
      this.#transport.send(protocol.release([task], "timeout"));
    }
    this.#maybeRequest();
  }

  #addResult(result) {
    const stats = this.#stats;
    stats.tasksDone++;
    if (result.status !== "ok") stats.tasksFailed++;
    stats.cpuMillis += result.millis;
    const size = result.stdout.length + result.stderr.length + RESULT_OVERHEAD_BYTES;
    const max = (this.#welcome?.maxMessageBytes ?? Infinity) - ENVELOPE_BYTES;
    if (this.#pending.length > 0 && this.#pendingBytes + size > max) this.#flush();
    this.#pending.push(result);
    this.#pendingBytes += size;
    const { job, index, status, exitCode, millis } = result;
    this.#emit("taskdone", "onTaskDone", { job, index, status, exitCode, millis });
    this.#emit("stats", "onStats", this.stats);
    // Nothing else will finish soon when the pool is empty: send now rather than wait.
    const idle = this.#pool.running === 0 && this.#pool.queued === 0;
    if (idle || this.#pending.length >= this.#o.resultBatchSize) this.#flush();
    else this.#flushTimer ??= setTimeout(() => this.#flush(), this.#o.resultFlushMs);
  }

  #flush() {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#pending.length === 0) return;
    // Kept while disconnected: a lease the server has not handed out again may still count.
    if (this.#transport.send(protocol.results(this.#pending))) {
      this.#pending = [];
      this.#pendingBytes = 0;
    }
  }

  #maybeRequest() {
    if (this.#state !== "connected") return;
    const { batch, prefetchBelow } = this.#welcome;
    // Asynchronous mode asks again when fewer than prefetchBelow tasks wait to start, so the next
    // batch arrives while the last ones run: counting running tasks too left every worker idle
    // for a round trip to the server per batch. Batch mode (prefetchBelow 0) asks when empty.
    const waiting = this.#pool.queued + this.#waitingCount() + this.#outstanding;
    const low = prefetchBelow > 0 ? waiting < prefetchBelow : waiting + this.#pool.running === 0;
    if (low) {
      if (this.#transport.send(protocol.request(batch))) this.#outstanding += batch;
    }
  }

  #onCancel(refs) {
    for (const { job, index } of refs) {
      for (const list of this.#waiting.values()) {
        const at = list.findIndex((t) => t.job === job && t.index === index);
        if (at < 0) continue;
        const [task] = list.splice(at, 1);
        this.#current.delete(task);
        this.#unwatchLimit(task);
      }
      this.#pool.cancel(job, index); // its checkpoints are forgotten in #onOutcome
    }
    this.#maybeRequest();
  }

  #onClose({ code, reason, delayMs }) {
    if (this.#state === "stopping" || this.#state === "stopped") return;
    this.#stopHeartbeat();
    // The server requeued everything this connection held; running tasks finish, and their
    // results are sent after reconnecting in case their leases are still current.
    const dropped = [...this.#pool.dropQueued(), ...[...this.#waiting.values()].flat()];
    dropped.forEach((t) => this.#unwatchLimit(t));
    this.#waiting.clear();
    this.#current.clear();
    this.#checkpoints.clear();
    this.#welcome = null;
    this.#outstanding = 0;
    this.#setState("disconnected", { code, reason, delayMs });
  }

  #waitingCount() {
    let n = 0;
    for (const list of this.#waiting.values()) n += list.length;
    return n;
  }

  #setState(state, detail = {}) {
    const previous = this.#state;
    if (previous === state && state !== "disconnected") return;
    this.#state = state;
    this.#emit("statechange", "onStateChange", { state, previous, ...detail });
  }

  #warn(message) {
    this.#emit("warning", "onWarning", { message });
  }

  #emit(type, callback, detail) {
    try {
      this.#o[callback]?.(detail);
    } catch {
      // The host's handler failed; that must not stop the volunteer.
    }
    try {
      this.dispatchEvent(new CustomEvent(type, { detail }));
    } catch {
      // As above, for listeners.
    }
  }

  #guard(fn) {
    try {
      fn();
    } catch (e) {
      this.#warn(`internal error: ${e?.stack ?? e}`);
    }
  }
}
