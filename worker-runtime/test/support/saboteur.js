// A saboteur volunteer for tests and bench/saboteurs.sh: the real headless runtime, whose pool
// workers run every task's kernel honestly, with the result changed on its way back from the
// worker to the volunteer (the worker factory is the seam), so what reaches the server is a
// well-formed `results` message over the real protocol. Test code: nothing in src/ imports it, so
// neither `surge-volunteer` nor the browser bundle can reach it.
//
// How it lies (`--lie`): `always`; `sometimes:P` (each result with probability P); `sleeper:K`
// (honest for its first K results, then always). What it returns instead (`--wrong`): `random`
// (different garbage each time), `consistent` (the same wrong output for the same task every
// time, different from other saboteurs'), `collude` (a wrong output derived only from the task,
// so every colluding saboteur returns the SAME wrong output for it). Wrong outputs keep the shape
// of the right one: the first decimal number is moved by up to about 1 % (a Monte Carlo
// `785470 1000000` becomes `783911 1000000`), or, without digits, one byte is changed.

import { createHash, randomBytes } from "node:crypto";

/** Every colluding saboteur derives its wrong outputs from this and the task alone. */
export const COLLUDE_SALT = "surge-saboteurs";

const LIE_USAGE = "always, sometimes:P (0 < P <= 1) or sleeper:K (K >= 0 honest results first)";
const WRONG_USAGE = "random, consistent or collude";

/**
 * Parses `--lie`. @throws {RangeError} naming the option and what it accepts
 * @param {string} text
 * @returns {{kind: 'always'} | {kind: 'sometimes', p: number} | {kind: 'sleeper', k: number}}
 */
export function parseLie(text) {
  const bad = () => new RangeError(`--lie must be ${LIE_USAGE}, got '${text}'`);
  if (text === "always") return { kind: "always" };
  const m = /^(sometimes|sleeper):(.+)$/.exec(text ?? "");
  if (!m) throw bad();
  if (m[1] === "sometimes") {
    const p = Number(m[2]);
    if (!/^[0-9.eE+-]+$/.test(m[2]) || !(p > 0 && p <= 1)) throw bad();
    return { kind: "sometimes", p };
  }
  if (!/^\d+$/.test(m[2])) throw bad();
  return { kind: "sleeper", k: Number(m[2]) };
}

/**
 * Parses `--wrong`. @throws {RangeError} naming the option and what it accepts
 * @returns {'random'|'consistent'|'collude'}
 */
export function parseWrong(text) {
  if (text === "random" || text === "consistent" || text === "collude") return text;
  throw new RangeError(`--wrong must be ${WRONG_USAGE}, got '${text}'`);
}

/** A 64-bit number from a hash of the parts: the same parts, the same number. */
export function hash64(...parts) {
  const h = createHash("sha256");
  for (const p of parts) h.update(String(p)).update("\u0000");
  return h.digest().readBigUInt64BE(0);
}

/** A seeded source of 64-bit numbers and uniform [0, 1) draws (splitmix64). */
export function seededRandom(seed) {
  let state = BigInt.asUintN(64, BigInt(seed));
  const next = () => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
  return { next, uniform: () => Number(next() >> 11n) / 2 ** 53 };
}

const isDigit = (b) => b >= 0x30 && b <= 0x39;

/**
 * A plausible wrong output, always different from `right`, chosen by the 64-bit `n`: the first
 * run of decimal digits moved by 1 .. max(1, value/100) up or down (never below 0); without
 * digits, one byte changed; an empty output becomes a small number and a newline.
 * @param {Uint8Array} right
 * @param {bigint} n
 * @returns {Uint8Array}
 */
export function falsify(right, n) {
  n = BigInt.asUintN(64, n);
  const start = right.findIndex(isDigit);
  if (start < 0) {
    if (right.length === 0) return new TextEncoder().encode(`${n % 1000n}\n`);
    const out = Uint8Array.from(right);
    const at = Number(n % BigInt(right.length));
    out[at] ^= 1 + Number((n >> 16n) % 255n);
    return out;
  }
  let end = start;
  while (end < right.length && isDigit(right[end])) end++;
  const value = BigInt(new TextDecoder().decode(right.subarray(start, end)));
  const spread = value / 100n > 1n ? value / 100n : 1n;
  const delta = 1n + ((n >> 1n) % spread);
  const down = (n & 1n) === 1n && value >= delta;
  const digits = new TextEncoder().encode(String(down ? value - delta : value + delta));
  const out = new Uint8Array(right.length - (end - start) + digits.length);
  out.set(right.subarray(0, start), 0);
  out.set(digits, start);
  out.set(right.subarray(end), start + digits.length);
  return out;
}

/**
 * Decides, result by result, whether to lie and what to say. Only results with status `ok` are
 * changed (a lie dressed as a failure would only be retried); every result counts towards
 * `results`, and a sleeper's K counts ok results.
 */
export class Saboteur {
  #lie;
  #wrong;
  #random;
  #seed;
  #okSeen = 0;
  /** Results that passed through, and how many of them were lies. */
  stats = { results: 0, lies: 0 };

  /**
   * @param {object} options
   * @param {string|object} [options.lie] as `--lie` (default `always`), or parseLie's value
   * @param {string} [options.wrong] as `--wrong` (default `random`)
   * @param {bigint|number|string} [options.seed] seeds `sometimes`, `random` and `consistent`
   *   (default: random, so two saboteurs differ)
   */
  constructor({ lie = "always", wrong = "random", seed } = {}) {
    this.#lie = typeof lie === "string" ? parseLie(lie) : lie;
    this.#wrong = parseWrong(wrong);
    this.#seed = seed === undefined ? randomBytes(8).readBigUInt64BE(0) : BigInt(seed);
    this.#random = seededRandom(this.#seed);
  }

  /** `always`, `sometimes:P` or `sleeper:K`, and the wrong-output mode. */
  get description() {
    const l = this.#lie;
    const lie = l.kind === "always" ? l.kind : `${l.kind}:${l.kind === "sometimes" ? l.p : l.k}`;
    return `lie=${lie} wrong=${this.#wrong}`;
  }

  /** Whether the next ok result is a lie; advances the count of ok results. */
  #decide() {
    const l = this.#lie;
    const seen = this.#okSeen++;
    if (l.kind === "always") return true;
    if (l.kind === "sleeper") return seen >= l.k;
    return this.#random.uniform() < l.p;
  }

  /** The 64-bit number a wrong output for this task is derived from. */
  #wrongFor(task) {
    if (this.#wrong === "random") return this.#random.next();
    if (this.#wrong === "consistent") return hash64("consistent", this.#seed, task.job, task.index);
    return hash64(COLLUDE_SALT, task.job, task.index);
  }

  /**
   * The output to send for a task, given the right one the kernel computed.
   * @param {{job: string, index: number}} task
   * @param {Uint8Array} right
   * @returns {{stdout: Uint8Array, lie: boolean}}
   */
  output(task, right) {
    this.stats.results++;
    if (!this.#decide()) return { stdout: right, lie: false };
    this.stats.lies++;
    return { stdout: falsify(right, this.#wrongFor(task)), lie: true };
  }

  /**
   * A worker's result as the saboteur sends it (stdout in base64, as workers post it).
   * @param {{job: string, index: number}} task
   * @param {{status: string, stdout: string}} result
   */
  tamper(task, result) {
    if (result.status !== "ok") {
      this.stats.results++;
      return result;
    }
    const right = Buffer.from(result.stdout, "base64");
    const { stdout, lie } = this.output(task, right);
    return lie ? { ...result, stdout: Buffer.from(stdout).toString("base64") } : result;
  }
}

/**
 * Wraps a pool worker factory (src/pool.js's WorkerFactory): every task still runs on a real
 * worker; its result passes through `saboteur.tamper` before the pool sees it.
 * @param {import('../../src/pool.js').WorkerFactory} createWorker
 * @param {Saboteur} saboteur
 * @returns {import('../../src/pool.js').WorkerFactory}
 */
export function sabotageWorkers(createWorker, saboteur) {
  return (handlers) => {
    const tasks = new Map(); // message id -> task
    const worker = createWorker({
      onMessage: (data) => {
        const task = tasks.get(data?.id);
        tasks.delete(data?.id);
        if (task && data.result) data = { ...data, result: saboteur.tamper(task, data.result) };
        handlers.onMessage(data);
      },
      onError: handlers.onError,
    });
    return {
      postMessage: (message) => {
        tasks.set(message.id, message.task);
        worker.postMessage(message);
      },
      terminate: () => worker.terminate(),
    };
  };
}
