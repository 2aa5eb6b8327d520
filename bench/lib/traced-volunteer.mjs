#!/usr/bin/env node
// A headless volunteer for the efficiency benchmark: bin/surge-volunteer's volunteer (the same
// createNodeVolunteer, CPU level, workers), plus a trace of every finished task POSTed to the
// benchmark's collector, so kernel time and the time between tasks can be told apart.
//
//   node bench/lib/traced-volunteer.mjs --runtime DIR --server URL --workers N --collector URL --name V
// The volunteer key comes from SURGE_VOLUNTEER_KEY, as for bin/surge-volunteer.

import { parseArgs } from "node:util";

const { values: o } = parseArgs({
  options: {
    runtime: { type: "string" },
    server: { type: "string" },
    workers: { type: "string", default: "1" },
    collector: { type: "string" },
    name: { type: "string", default: "v" },
  },
});
const src = `file://${o.runtime.replace(/\/?$/, "/")}src/`;
const { createNodeVolunteer } = await import(`${src}node/index.js`);
const { AGENT } = await import(`${src}volunteer.js`);

const started = performance.timeOrigin + performance.now();
const events = [];
const send = async () => {
  if (events.length === 0) return;
  const body = JSON.stringify({
    volunteer: o.name,
    started,
    events: events.splice(0),
  });
  try {
    await fetch(o.collector, { method: "POST", body });
  } catch {
    // The collector is gone: the benchmark ended.
  }
};
const volunteer = createNodeVolunteer({
  server: o.server,
  key: process.env.SURGE_VOLUNTEER_KEY,
  workers: Number(o.workers),
  agent: `${AGENT} node/${process.versions.node} bench`,
  onTaskDone: ({ job, index, status, millis }) =>
    events.push({
      job,
      index,
      status,
      millis,
      doneAt: performance.timeOrigin + performance.now(),
    }),
  onWarning: ({ message }) => process.stderr.write(`traced-volunteer: ${message}\n`),
});
const timer = setInterval(send, 100);
const stop = async () => {
  clearInterval(timer);
  await volunteer.stop({ reason: "closing" });
  await send();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
volunteer.start();
