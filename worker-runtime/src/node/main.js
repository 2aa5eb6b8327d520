#!/usr/bin/env node
// The headless volunteer: `surge-volunteer --server http://HOST:PORT --key K [--workers N] [--quiet]`.
// One of the centre's own machines: it proves it with a volunteer key an operator made
// (`surge admin volunteer-key create`), runs until SIGINT/SIGTERM, then releases its tasks.

import { parseArgs } from "node:util";
import { createNodeVolunteer } from "./index.js";
import { AGENT, volunteerUrl } from "../volunteer.js";

const USAGE = `usage: surge-volunteer --server http://HOST:PORT --key KEY [--workers N] [--quiet]
  --server URL   the offload server (default: the SURGE_SERVER environment variable)
  --key KEY      this machine's volunteer key (default: the SURGE_VOLUNTEER_KEY environment
                 variable); an operator makes one with: surge admin volunteer-key create --name NAME
  --workers N    how many tasks to run at once (default: one per core)
  --quiet        print nothing but errors and the summary when stopping
  --help         print this text`;

const STOP_TIMEOUT_MS = 10_000;

const say = (line) => process.stderr.write(`surge-volunteer: ${line}\n`);

function usageError(message) {
  process.stderr.write(`surge-volunteer: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        server: { type: "string" },
        key: { type: "string" },
        workers: { type: "string" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    usageError(e.message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const server = values.server ?? process.env.SURGE_SERVER;
  if (!server) usageError("missing option --server (or set SURGE_SERVER)");
  let url;
  try {
    url = new URL(server);
  } catch {
    usageError(`--server must be an http(s) URL such as http://localhost:8080, got '${server}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    usageError(`--server must be an http(s) URL such as http://localhost:8080, got '${server}'`);
  }
  const key = values.key ?? process.env.SURGE_VOLUNTEER_KEY;
  if (!key) {
    usageError(
      "missing option --key (or set SURGE_VOLUNTEER_KEY): ask an operator for a volunteer key",
    );
  }
  let workers;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!/^\d+$/.test(values.workers) || workers < 1) {
      usageError(`--workers must be a whole number of at least 1, got '${values.workers}'`);
    }
  }
  return { server, key, workers, quiet: values.quiet };
}

function describe({ state, previous, session, code, reason, delayMs }, volunteer, server) {
  switch (state) {
    case "connecting":
      return previous === "stopped"
        ? `connecting to ${volunteerUrl(server)} with ${volunteer.workers} workers`
        : "connecting";
    case "connected":
      return `connected, session ${session}`;
    case "disconnected": {
      const why = code ? `closed with ${code}${reason ? ` (${reason})` : ""}` : reason;
      return `disconnected: ${why}; reconnecting in ${(delayMs / 1000).toFixed(1)} s`;
    }
    case "stopping":
      return `stopping: releasing held tasks (${reason})`;
    default:
      return state;
  }
}

function main() {
  const { server, key, workers, quiet } = parseOptions(process.argv.slice(2));
  const volunteer = createNodeVolunteer({
    server,
    workers,
    agent: `${AGENT} node/${process.versions.node}`,
    key,
    onStateChange: (detail) => {
      if (!quiet && detail.state !== "stopped") say(describe(detail, volunteer, server));
    },
    onWarning: ({ message }) => {
      if (!quiet) say(`warning: ${message}`);
    },
  });

  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) {
      say(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    setTimeout(() => {
      say(`could not stop within ${STOP_TIMEOUT_MS / 1000} s; exiting`);
      process.exit(0);
    }, STOP_TIMEOUT_MS).unref();
    await volunteer.stop({ reason: "closing" });
    const { tasksDone, tasksFailed, cpuMillis } = volunteer.stats;
    say(
      `stopped after ${tasksDone} tasks done (${tasksFailed} failed), ` +
        `${(cpuMillis / 1000).toFixed(1)} s of kernel time`,
    );
    process.exit(0);
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  volunteer.start();
}

main();
