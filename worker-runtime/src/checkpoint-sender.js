// Sends running tasks' checkpoints to the server without holding anything up: only the latest
// checkpoint of a task matters, so a newer one replaces an unsent older one, and each task sends
// at most one per interval (the welcome's checkpointMs). A task that ends takes its unsent
// checkpoint with it: its result supersedes it.

import * as protocol from "./protocol.js";

export class CheckpointSender {
  #send;
  #now;
  #setTimer;
  #clearTimer;
  /** task → {latest: {progress, data}|null, lastSent: number, timer: unknown} */
  #tasks = new Map();
  /** Checkpoints sent, and those replaced by a newer one before they went out. */
  sent = 0;
  coalesced = 0;

  /**
   * @param {object} options
   * @param {(message: object) => boolean} options.send sends one message; false when it could not
   * @param {() => number} [options.now]
   * @param {(fn: () => void, ms: number) => unknown} [options.setTimer]
   * @param {(id: unknown) => void} [options.clearTimer]
   */
  constructor({
    send,
    now = () => performance.now(),
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (id) => clearTimeout(id),
  }) {
    this.#send = send;
    this.#now = now;
    this.#setTimer = setTimer;
    this.#clearTimer = clearTimer;
  }

  /**
   * A task's kernel saved a checkpoint: sent now, or when the task's interval has passed.
   * @param {{job: string, index: number, lease: number}} task
   * @param {{progress: number, data: string}} checkpoint data in base64
   * @param {number} intervalMs
   */
  offer(task, checkpoint, intervalMs) {
    let entry = this.#tasks.get(task);
    if (!entry) {
      entry = { latest: null, lastSent: -Infinity, timer: null };
      this.#tasks.set(task, entry);
    }
    if (entry.latest) this.coalesced++;
    entry.latest = checkpoint;
    if (entry.timer !== null) return;
    const wait = entry.lastSent + intervalMs - this.#now();
    if (wait <= 0) this.#flush(task, entry);
    else entry.timer = this.#setTimer(() => this.#flush(task, entry), Math.ceil(wait));
  }

  /** The task ended (result, release, cancel): its unsent checkpoint is dropped. */
  forget(task) {
    const entry = this.#tasks.get(task);
    if (!entry) return;
    this.#clearTimer(entry.timer);
    this.#tasks.delete(task);
  }

  /** The connection ended: every lease is void, so is every unsent checkpoint. */
  clear() {
    for (const entry of this.#tasks.values()) this.#clearTimer(entry.timer);
    this.#tasks.clear();
  }

  #flush(task, entry) {
    entry.timer = null;
    if (this.#tasks.get(task) !== entry || !entry.latest) return;
    const { progress, data } = entry.latest;
    entry.latest = null;
    entry.lastSent = this.#now();
    if (this.#send(protocol.checkpoint(task, progress, data))) this.sent++;
  }
}
