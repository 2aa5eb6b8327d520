#!/usr/bin/env node
// The headless volunteer: `surge-volunteer --server http://HOST:PORT --key K [--workers N] [--quiet]`.
// One of the centre's own machines: it proves it with a volunteer key an operator made
// (`surge admin volunteer-key create`), runs until SIGINT/SIGTERM, then releases its tasks.
// With `--consent PROJECT` instead it joins as a consenting web visitor would: it obtains a consent
// token from POST /api/consent with a page's Origin header and says hello with that token (the
// server counts it as a browser session: untrusted, `consent:<id>`). For tests and benchmarks.

import { parseArgs } from "node:util";
import { WebSocket } from "ws";
import { createNodeVolunteer } from "./index.js";
import { AGENT, volunteerUrl } from "../volunteer.js";
import { consentTokenProvider } from "../consent.js";

const USAGE = `usage: surge-volunteer --server http://HOST:PORT (--key KEY | --consent PROJECT [--origin URL])
                      [--workers N] [--quiet]
  --server URL   the offload server (default: the SURGE_SERVER environment variable)
  --key KEY      this machine's volunteer key (default: the SURGE_VOLUNTEER_KEY environment
                 variable); an operator makes one with: surge admin volunteer-key create --name NAME
  --consent PROJECT  join as a consenting web visitor of project PROJECT instead of with a key:
                 ask POST /api/consent for a token as a page of --origin does, and say hello with
                 it (a browser session to the server); the origin must be in the server's
                 SURGE_ALLOWED_ORIGINS
  --origin URL   the web page origin to consent as (default: the --server URL's origin)
  --revision N   the project revision consented to (default 1)
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
        consent: { type: "string" },
        origin: { type: "string" },
        revision: { type: "string" },
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
  let key;
  let consent;
  if (values.consent !== undefined) {
    if (values.key !== undefined) usageError("give either --key or --consent, not both");
    if (!/^[a-z0-9-]{1,64}$/.test(values.consent)) {
      usageError(
        `--consent must be a project id (lower-case letters, digits, dashes), got '${values.consent}'`,
      );
    }
    let origin;
    try {
      origin = new URL(values.origin ?? server).origin;
    } catch {
      origin = "null";
    }
    if (!/^https?:\/\//.test(origin)) {
      usageError(
        `--origin must be an http(s) origin such as https://www.example.org, got '${values.origin}'`,
      );
    }
    const revision = Number(values.revision ?? "1");
    if (!/^\d+$/.test(values.revision ?? "1") || revision < 1) {
      usageError(`--revision must be a whole number of at least 1, got '${values.revision}'`);
    }
    consent = { project: values.consent, origin, revision };
  } else {
    if (values.origin !== undefined || values.revision !== undefined) {
      usageError("--origin and --revision go with --consent PROJECT");
    }
    key = values.key ?? process.env.SURGE_VOLUNTEER_KEY;
    if (!key) {
      usageError(
        "missing option --key (or set SURGE_VOLUNTEER_KEY): ask an operator for a volunteer key," +
          " or join as a web visitor with --consent PROJECT",
      );
    }
  }
  let workers;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!/^\d+$/.test(values.workers) || workers < 1) {
      usageError(`--workers must be a whole number of at least 1, got '${values.workers}'`);
    }
  }
  return { server, key, consent, workers, quiet: values.quiet };
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

/**
 * A getToken hook that consents as a page of `origin` would, and a WebSocket class that opens the
 * volunteer socket with that Origin header (as the page's browser does). Errors name the project
 * and origin.
 */
function visitorCredentials(server, { project, origin, revision }) {
  const provider = consentTokenProvider(
    server,
    { site: origin, project, revision, cpu: 100 },
    { origin },
  );
  const getToken = async (request) => {
    try {
      return await provider(request);
    } catch (e) {
      throw new Error(
        `could not consent to project '${project}' as a page of ${origin}: ${e.message}`,
      );
    }
  };
  class PageSocket extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { origin });
    }
  }
  return { getToken, WebSocket: PageSocket };
}

async function main() {
  const { server, key, consent, workers, quiet } = parseOptions(process.argv.slice(2));
  let credentials = { key };
  if (consent) {
    credentials = visitorCredentials(server, consent);
    try {
      await credentials.getToken({ fresh: false }); // refused consent: say so once and stop
    } catch (e) {
      say(e.message);
      process.exit(1);
    }
    if (!quiet) say(`consented to project '${consent.project}' as a page of ${consent.origin}`);
  }
  const volunteer = createNodeVolunteer({
    server,
    workers,
    agent: `${AGENT} node/${process.versions.node}`,
    ...credentials,
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
