// CPU accounting from /proc: per process (all threads), per thread group, and the whole machine.
// Linux only; the clock tick (CLK_TCK) is 100 on every Debian kernel, override with BENCH_CLK_TCK.

import { readFileSync, readdirSync } from "node:fs";

const TICK = Number(process.env.BENCH_CLK_TCK ?? 100);

// Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
function ticksOf(statText) {
  const rest = statText.slice(statText.lastIndexOf(")") + 2).split(" ");
  return Number(rest[11]) + Number(rest[12]);
}

/** CPU seconds (user + system) a process has used so far, all its threads included. */
export function processCpu(pid) {
  return ticksOf(readFileSync(`/proc/${pid}/stat`, "utf8")) / TICK;
}

/**
 * CPU seconds used by a process and all its descendants alive now (a PostgreSQL postmaster and
 * its backends, say). Children that already exited are not counted.
 */
export function treeCpu(rootPid) {
  const parent = new Map();
  const ticks = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(name), Number(rest[1]));
      ticks.set(Number(name), Number(rest[11]) + Number(rest[12]));
    } catch {
      // Gone meanwhile.
    }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    for (let p = pid; p > 1; p = parent.get(p) ?? 0) {
      if (p === rootPid) {
        total += t;
        break;
      }
    }
  }
  return total / TICK;
}

/**
 * CPU seconds by thread name, digits folded (`http-thread-pool::http-listener(3)` and `(4)` are
 * one group), so a before/after difference shows which kind of thread did the work.
 */
export function threadCpu(pid) {
  const groups = {};
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return groups;
  }
  for (const tid of tids) {
    try {
      // The main thread is named after the program; call it "main" (a Node event loop, say).
      const name =
        tid === String(pid) ? "main" : readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      const key = name.replace(/\d+/g, "N");
      const s = ticksOf(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")) / TICK;
      groups[key] = (groups[key] ?? 0) + s;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return groups;
}

/** Machine-wide CPU seconds: busy (all non-idle states) and idle (idle + iowait), all cores. */
export function machineCpu() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f.map(Number);
  return {
    busy: (user + nice + system + irq + softirq + steal) / TICK,
    idle: (idle + iowait) / TICK,
  };
}

export function loadAverage() {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

/** a - b for every key of a (thread groups that appeared meanwhile count from zero). */
export function diffGroups(after, before) {
  const out = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0.005) out[k] = round(d, 2);
  }
  return Object.fromEntries(Object.entries(out).sort((x, y) => y[1] - x[1]));
}

export function round(x, digits = 1) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
