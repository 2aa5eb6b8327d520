// Codec for the Surge volunteer protocol, version 1. protocol/PROTOCOL.md is the source of truth;
// test/protocol.test.js checks this file against its message table and the golden messages.

import { isBase64, toBase64 } from "./base64.js";

/** Protocol version spoken by this runtime. */
export const PROTOCOL_VERSION = 1;

/** Direction of every message type, as in the table in PROTOCOL.md. */
export const MESSAGE_DIRECTIONS = Object.freeze({
  hello: "volunteer → server",
  welcome: "server → volunteer",
  request: "volunteer → server",
  tasks: "server → volunteer",
  heartbeat: "volunteer → server",
  results: "volunteer → server",
  release: "volunteer → server",
  checkpoint: "volunteer → server",
  cancel: "server → volunteer",
  error: "server → volunteer",
});

/** Every message type of the protocol. */
export const MESSAGE_TYPES = Object.freeze(Object.keys(MESSAGE_DIRECTIONS));

/** Values of `status` in a result. */
export const RESULT_STATUSES = Object.freeze(["ok", "exit", "trap"]);

/** Values of `reason` in a release. */
export const RELEASE_REASONS = Object.freeze([
  "closing",
  "paused",
  "kernel-unavailable",
  "worker-crashed",
  "timeout",
]);

/** Values of `code` in an error. */
export const ERROR_CODES = Object.freeze(["unknown-type", "bad-message"]);

// --- field checks: each returns null when the value is fine, else {field, reason} ---

const fail = (field, reason) => ({ field, reason: `${field} ${reason}` });

function required(check) {
  return (v, path) => (v === undefined ? fail(path, "is missing") : check(v, path));
}

const string = required((v, path) =>
  typeof v === "string" ? null : fail(path, "must be a string"),
);

/** A field that may be left out; when present it must pass {@code check}. */
const optional = (check) => (v, path) => (v === undefined ? null : check(v, path));

function int(min, max = Number.MAX_SAFE_INTEGER) {
  return required((v, path) => {
    if (!Number.isSafeInteger(v)) return fail(path, "must be an integer");
    if (v < min || v > max) return fail(path, `must be between ${min} and ${max}, got ${v}`);
    return null;
  });
}

function number(min) {
  return required((v, path) =>
    typeof v === "number" && Number.isFinite(v) && v >= min
      ? null
      : fail(path, `must be a number ≥ ${min}`),
  );
}

function oneOf(values) {
  return required((v, path) =>
    values.includes(v) ? null : fail(path, `must be one of ${values.join(", ")}`),
  );
}

function fraction() {
  return required((v, path) =>
    typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1
      ? null
      : fail(path, "must be a number from 0 to 1"),
  );
}

const base64 = required((v, path) =>
  isBase64(v) ? null : fail(path, "must be standard base64 with padding"),
);

const SHA256 = /^[0-9a-f]{64}$/;
const sha256 = required((v, path) =>
  typeof v === "string" && SHA256.test(v) ? null : fail(path, "must be 64 lower-case hex digits"),
);

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

function arrayOf(item) {
  return required((v, path) => {
    if (!Array.isArray(v)) return fail(path, "must be an array");
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  });
}

function object(fields) {
  const entries = Object.entries(fields);
  return required((v, path) => {
    if (!isObject(v)) return fail(path, "must be an object");
    for (const [name, check] of entries) {
      const problem = check(v[name], path ? `${path}.${name}` : name);
      if (problem) return problem;
    }
    return null;
  });
}

const stringMap = required((v, path) => {
  if (!isObject(v)) return fail(path, "must be an object of strings");
  for (const [key, value] of Object.entries(v)) {
    if (typeof value !== "string") return fail(`${path}.${key}`, "must be a string");
  }
  return null;
});

const lease = int(0);
const taskRef = { job: string, index: int(0) };

const SCHEMAS = {
  // The version check (1008 for a version other than 1) is the session's job, not the codec's.
  // Either token (a web page's consent) or key (the centre's own machine): checked below.
  hello: {
    protocol: int(1),
    token: optional(string),
    key: optional(string),
    agent: string,
    workers: int(1),
    features: arrayOf(string),
  },
  welcome: {
    session: string,
    heartbeatMs: int(1),
    leaseMs: int(1),
    batch: int(1),
    prefetchBelow: int(0),
    maxMessageBytes: int(1),
    // Checkpoints (docs/checkpoints.md): absent or 0 means the server takes none.
    checkpointMs: optional(int(0)),
    maxCheckpointBytes: optional(int(0)),
    // Heartbeat interval while the volunteer holds no task; absent: heartbeatMs.
    idleHeartbeatMs: optional(int(0)),
  },
  request: { count: int(1) },
  tasks: {
    tasks: arrayOf(
      object({
        ...taskRef,
        lease,
        kernel: sha256,
        args: arrayOf(string),
        env: stringMap,
        stdin: base64,
        leaseExpires: int(0),
        timeoutMs: int(1),
        checkpoint: optional(object({ progress: fraction(), data: base64 })),
      }),
    ),
  },
  heartbeat: { seq: int(0), running: int(0) },
  results: {
    results: arrayOf(
      object({
        ...taskRef,
        lease,
        status: oneOf(RESULT_STATUSES),
        exitCode: int(Number.MIN_SAFE_INTEGER),
        stdout: base64,
        stderr: base64,
        millis: number(0),
      }),
    ),
  },
  release: { tasks: arrayOf(object({ ...taskRef, lease })), reason: oneOf(RELEASE_REASONS) },
  checkpoint: { ...taskRef, lease, progress: fraction(), data: base64 },
  cancel: { tasks: arrayOf(object(taskRef)), reason: string },
  error: { code: oneOf(ERROR_CODES), message: string },
};

const VALIDATORS = Object.fromEntries(
  Object.entries(SCHEMAS).map(([type, fields]) => [type, object(fields)]),
);
const helloFields = VALIDATORS.hello;
VALIDATORS.hello = (v, path) =>
  helloFields(v, path) ??
  ((v.token === undefined) === (v.key === undefined)
    ? fail(v.token === undefined ? "token" : "key", "exactly one of token and key must be given")
    : null);

/**
 * @typedef {{ok: true, message: object}
 *   | {ok: false, kind: 'malformed'|'unknown-type'|'bad-message', field?: string, reason: string}} Decoded
 */

/**
 * Checks an already parsed value against the protocol. Unknown extra fields are kept, so a newer
 * peer may add fields without breaking this one.
 * @param {unknown} value
 * @returns {Decoded}
 */
export function validate(value) {
  if (!isObject(value)) return { ok: false, kind: "malformed", reason: "not a JSON object" };
  if (typeof value.type !== "string") {
    return { ok: false, kind: "malformed", reason: "no string field type" };
  }
  const validator = VALIDATORS[value.type];
  if (!validator) {
    return { ok: false, kind: "unknown-type", reason: `unknown message type '${value.type}'` };
  }
  const problem = validator(value, "");
  if (problem)
    return { ok: false, kind: "bad-message", field: problem.field, reason: problem.reason };
  return { ok: true, message: value };
}

/**
 * Decodes one text frame. Never throws.
 * @param {unknown} text
 * @returns {Decoded}
 */
export function decode(text) {
  if (typeof text !== "string") return { ok: false, kind: "malformed", reason: "not a text frame" };
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, kind: "malformed", reason: `not JSON: ${e.message}` };
  }
  return validate(value);
}

/**
 * Encodes a message as one text frame. Messages built by the constructors below are valid by
 * construction, so the hot path does not validate them again.
 * @param {object} message
 * @returns {string}
 */
export function encode(message) {
  return JSON.stringify(message);
}

// --- constructors for the volunteer → server messages ---

/**
 * A hello with a consent token (web pages) or a volunteer key (the centre's own machines).
 * @param {{token?: string, key?: string, agent: string, workers: number, features?: string[]}} p
 */
export function hello({ token, key, agent, workers, features = ["wasi_snapshot_preview1"] }) {
  const credential = key !== undefined ? { key } : { token };
  return { type: "hello", protocol: PROTOCOL_VERSION, ...credential, agent, workers, features };
}

/** @param {number} count how many more tasks, added to what was asked before */
export function request(count) {
  return { type: "request", count };
}

/**
 * @param {number} seq
 * @param {number} running tasks executing now
 */
export function heartbeat(seq, running) {
  return { type: "heartbeat", seq, running };
}

/**
 * Builds a result object for a task from a run's outcome; stdout/stderr may be bytes or base64.
 * @param {{job: string, index: number, lease: number}} task
 * @param {{status: string, exitCode: number, stdout: Uint8Array|string, stderr: Uint8Array|string, millis: number}} run
 */
export function result(task, run) {
  return {
    job: task.job,
    index: task.index,
    lease: task.lease,
    status: run.status,
    exitCode: run.exitCode,
    stdout: typeof run.stdout === "string" ? run.stdout : toBase64(run.stdout),
    stderr: typeof run.stderr === "string" ? run.stderr : toBase64(run.stderr),
    millis: run.millis,
  };
}

/** @param {object[]} list result objects (see result()) */
export function results(list) {
  return { type: "results", results: list };
}

/**
 * @param {{job: string, index: number, lease: number}[]} tasks
 * @param {'closing'|'paused'|'kernel-unavailable'|'worker-crashed'|'timeout'} reason
 */
export function release(tasks, reason) {
  return {
    type: "release",
    tasks: tasks.map(({ job, index, lease }) => ({ job, index, lease })),
    reason,
  };
}

/**
 * The latest saved state of a running task (docs/checkpoints.md).
 * @param {{job: string, index: number, lease: number}} task
 * @param {number} progress 0..1, as the kernel reported it
 * @param {Uint8Array|string} data the checkpoint file's bytes, or their base64
 */
export function checkpoint(task, progress, data) {
  return {
    type: "checkpoint",
    job: task.job,
    index: task.index,
    lease: task.lease,
    progress,
    data: typeof data === "string" ? data : toBase64(data),
  };
}
