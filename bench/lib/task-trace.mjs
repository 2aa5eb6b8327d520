// Per-task breakdown of one job from the volunteers' traces: each event is a finished task with
// the kernel ms the runtime reported (instantiation and run) and the epoch ms it finished.
// With one worker per volunteer the time between two finishes on a volunteer is the later
// task's kernel time plus everything outside it (messaging, encoding, dispatch gaps, rest).

import { summary, median } from "./stats.mjs";

function byVolunteer(events, job) {
  const out = new Map();
  for (const e of events) {
    if (e.job !== job) continue;
    if (!out.has(e.volunteer)) out.set(e.volunteer, []);
    out.get(e.volunteer).push(e);
  }
  for (const list of out.values()) list.sort((a, b) => a.doneAt - b.doneAt);
  return out;
}

/**
 * @param {object[]} events every trace event so far
 * @param {{id: string, t0: number, t1: number, makespanMs: number}} run epoch ms of submit/end
 * @param {number} cores volunteers x workers
 */
export function analyseRun(events, run, cores) {
  const lists = byVolunteer(events, run.id);
  const all = [...lists.values()].flat();
  const kernelMs = all.reduce((a, e) => a + e.millis, 0);
  const overheads = [];
  for (const list of lists.values()) {
    for (let i = 1; i < list.length; i++) {
      overheads.push(list[i].doneAt - list[i - 1].doneAt - list[i].millis);
    }
  }
  const firstDone = Math.min(...all.map((e) => e.doneAt));
  const lastDone = Math.max(...all.map((e) => e.doneAt));
  return {
    tasks: all.length,
    perVolunteer: Object.fromEntries([...lists].map(([v, l]) => [v, l.length])),
    kernelShare: kernelMs / (cores * run.makespanMs),
    kernelMsPerTask: median(all.map((e) => e.millis)),
    overheadMsPerTask: median(overheads),
    overheadP90: summary(overheads).max,
    startMs: firstDone - run.t0,
    tailMs: run.t1 - lastDone,
  };
}

/** Median kernel ms of each task index over the given (warm) runs of one job. */
export function warmByIndex(events, runs) {
  const ms = new Map();
  for (const run of runs) {
    for (const e of events) {
      if (e.job !== run.id) continue;
      if (!ms.has(e.index)) ms.set(e.index, []);
      ms.get(e.index).push(e.millis);
    }
  }
  return new Map([...ms].map(([i, list]) => [i, median(list)]));
}

/**
 * Each volunteer's first task of the job against the same task run warm (`warm`: index -> ms,
 * from warmByIndex; tasks of a job can differ in cost, as Mandelbrot's bands do), or, without
 * it, against the median of the volunteer's later tasks.
 */
export function firstTask(events, run, warm = new Map()) {
  const firsts = [];
  const warms = [];
  const ratios = [];
  for (const list of byVolunteer(events, run.id).values()) {
    if (list.length < 3) continue;
    const w = warm.get(list[0].index) ?? median(list.slice(1).map((e) => e.millis));
    firsts.push(list[0].millis);
    warms.push(w);
    ratios.push(list[0].millis / w);
  }
  return {
    firstMs: summary(firsts),
    warmMs: summary(warms),
    ratio: summary(ratios),
  };
}
