#!/usr/bin/env node
// Where the server's CPU goes, from a flight recording of `bench/throughput.sh --jfr`:
//   node bench/jfr-summary.mjs bench/results/<stamp>.jfr [--top N]
// Counts jdk.ExecutionSample events (Java threads on CPU, sampled every 10-20 ms) by thread kind,
// by a few known costs recognised anywhere in the stack, and by the hottest application frames.
// JIT and GC threads are not Java threads and never appear here: throughput.sh's per-thread
// /proc figures (serverThreads in the JSON) cover them.

import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "15" } },
});
if (positionals.length !== 1) {
  process.stderr.write("usage: jfr-summary.mjs FILE.jfr [--top N]\n");
  process.exit(2);
}
const top = Number(values.top);

// Known costs: the first marker found in a sample's stack names its bucket (most specific first).
const MARKERS = [
  [
    "Tyrus idle-timeout reschedule per message (context capture, ServiceLoader scan)",
    /TyrusSession\.restartIdleTimeoutExecutor/,
  ],
  ["WebSocket send: Tyrus UTF-8 encoding of outgoing frames", /tyrus\.core\.StrictUtf8\$Encoder/],
  ["WebSocket send: other Tyrus/Grizzly write path", /TyrusRemoteEndpoint\$Async\.send/],
  ["protocol codec (surge Codec, JSON parse/generate)", /surge\.volunteers\.protocol\.Codec\./],
  ["dispatcher (surge.dispatch.Dispatcher)", /surge\.dispatch\.Dispatcher\./],
  ["journal: H2 storage", /^org\.h2\./],
  ["journal: PostgreSQL driver", /^org\.postgresql\./],
  ["Hibernate", /^org\.hibernate\./],
  ["merger", /surge\.jobs\.control\.Merger\./],
  ["REST (JAX-RS / Jersey)", /org\.glassfish\.jersey\./],
  ["WebSocket receive: Tyrus frame parsing and dispatch", /org\.glassfish\.tyrus\./],
  ["Grizzly / servlet I/O", /org\.glassfish\.grizzly\.|org\.apache\.catalina\./],
];

const text = execFileSync(
  "jfr",
  ["print", "--stack-depth", "96", "--events", "jdk.ExecutionSample", positionals[0]],
  {
    maxBuffer: 1 << 30,
    encoding: "utf8",
  },
);
const events = text.split("jdk.ExecutionSample {").slice(1);
const byThread = new Map();
const byMarker = new Map();
const bySelf = new Map();
const byAppFrame = new Map();
const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
for (const e of events) {
  const thread = (/sampledThread = "([^"]*)"/.exec(e)?.[1] ?? "?").replace(/\d+/g, "N");
  bump(byThread, thread);
  const frames = [...e.matchAll(/^\s{4}(\S[^\n]*?)(?:\s+line: \d+)?\s*$/gm)]
    .map((m) => m[1])
    .filter((f) => f !== "..." && !f.startsWith("]"))
    .map((f) => f.replace(/\(.*$/, ""));
  if (frames.length === 0) continue;
  bump(bySelf, frames[0]);
  const app = frames.find((f) =>
    /^(surge|org\.(hibernate|h2|postgresql|glassfish\.tyrus))\./.test(f),
  );
  if (app) bump(byAppFrame, app);
  const marker = MARKERS.find(([, re]) => frames.some((f) => re.test(f)));
  bump(byMarker, marker ? marker[0] : `other (${thread})`);
}

const total = events.length;
const show = (title, map, n = top) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${String(v).padStart(7)} ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  }
};
console.log(`${total} CPU samples of Java threads in ${positionals[0]}`);
show("by thread", byThread, 8);
show("by known cost (first match in the stack)", byMarker);
show("hottest first application frame (surge, Tyrus, Hibernate, H2, pgjdbc)", byAppFrame);
show("hottest leaf frames", bySelf, 10);
