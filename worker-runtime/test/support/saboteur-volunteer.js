#!/usr/bin/env node
// A headless volunteer that lies (see saboteur.js): test code for the verification tests and
// bench/saboteurs.sh, never part of the product.
//
//   node worker-runtime/test/support/saboteur-volunteer.js --server URL --key KEY
//        [--lie always|sometimes:P|sleeper:K] [--wrong random|consistent|collude]
//        [--seed N] [--workers N] [--quiet]
//
// On SIGINT/SIGTERM it prints on stderr `saboteur: returned R results, L lies (...)` and stops
// like surge-volunteer (the line again if results finished meanwhile); it also prints that line
// when the server closes its connection with 4403 (blacklisted).

import { parseArgs } from "node:util";
import { createNodeVolunteer, createNodeWorker } from "../../src/node/index.js";
import { AGENT } from "../../src/volunteer.js";
import { Saboteur, sabotageWorkers } from "./saboteur.js";

const USAGE = `usage: saboteur-volunteer.js --server URL --key KEY [--lie MODE] [--wrong MODE]
  [--seed N] [--workers N] [--quiet]
  --lie     always (default) | sometimes:P (each result with probability P, 0 < P <= 1) |
            sleeper:K (honest for its first K results, then always)
  --wrong   random (default) | consistent (same wrong output per task) |
            collude (wrong output derived from the task alone: every colluder sends the same)
  --seed N  seeds sometimes/random/consistent (default: random)`;

const say = (line) => process.stderr.write(`saboteur: ${line}\n`);
const fail = (message) => {
  process.stderr.write(`saboteur: ${message}\n${USAGE}\n`);
  process.exit(2);
};

let values;
try {
  ({ values } = parseArgs({
    options: {
      server: { type: "string" },
      key: { type: "string" },
      lie: { type: "string", default: "always" },
      wrong: { type: "string", default: "random" },
      seed: { type: "string" },
      workers: { type: "string", default: "1" },
      quiet: { type: "boolean", default: false },
    },
  }));
} catch (e) {
  fail(e.message);
}
const server = values.server ?? process.env.SURGE_SERVER;
const key = values.key ?? process.env.SURGE_VOLUNTEER_KEY;
if (!server) fail("missing option --server (or set SURGE_SERVER)");
if (!key) fail("missing option --key (or set SURGE_VOLUNTEER_KEY)");
if (!/^\d+$/.test(values.workers) || Number(values.workers) < 1) {
  fail(`--workers must be a whole number of at least 1, got '${values.workers}'`);
}
if (values.seed !== undefined && !/^\d+$/.test(values.seed)) {
  fail(`--seed must be a whole number, got '${values.seed}'`);
}
let saboteur;
try {
  saboteur = new Saboteur({ lie: values.lie, wrong: values.wrong, seed: values.seed });
} catch (e) {
  fail(e.message);
}

const tally = () => {
  const { results, lies } = saboteur.stats;
  return `returned ${results} results, ${lies} lies (${saboteur.description})`;
};

const volunteer = createNodeVolunteer({
  server,
  key,
  workers: Number(values.workers),
  agent: `${AGENT} node/${process.versions.node}`,
  createWorker: sabotageWorkers(createNodeWorker, saboteur),
  onStateChange: ({ state, session, code, reason }) => {
    if (state === "connected" && !values.quiet) say(`connected, session ${session}`);
    if (state === "disconnected" && code === 4403) say(`blacklisted (4403 ${reason}); ${tally()}`);
    else if (state === "disconnected" && !values.quiet) say(`disconnected: ${code} ${reason}`);
  },
  onWarning: ({ message }) => values.quiet || say(`warning: ${message}`),
});

let stopping = false;
const shutdown = async () => {
  if (stopping) process.exit(1);
  stopping = true;
  // The tally first: what was sent is known now, however long the goodbye takes.
  const before = tally();
  say(before);
  setTimeout(() => {
    say("could not stop within 10 s; exiting");
    process.exit(0);
  }, 10_000).unref();
  await volunteer.stop({ reason: "closing" });
  if (tally() !== before) say(tally());
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
say(`${saboteur.description}, ${values.workers} worker(s), server ${server}`);
volunteer.start();
