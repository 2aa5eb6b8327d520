#!/usr/bin/env node
// One line per results file of bench/throughput.sh, for comparing settings:
//   node bench/summarize.mjs bench/results/*.json [--markdown]

import { readFileSync } from "node:fs";
import { basename } from "node:path";

const args = process.argv.slice(2);
const markdown = args.includes("--markdown");
const files = args.filter((a) => !a.startsWith("--"));
if (files.length === 0) {
  process.stderr.write("usage: summarize.mjs RESULTS.json... [--markdown]\n");
  process.exit(2);
}

const r0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "-");
const r1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "-");
const r2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : "-");
const spread = (s) => `${r0(s.median)} [${r0(s.min)}..${r0(s.max)}]`;

const header = [
  "run",
  "setting",
  "tasks/s median [min..max]",
  "x1452",
  "x local",
  "server(+db) µs/task",
  "vol. µs/task",
  "JIT %",
  "cores srv/vol/other",
  "idle %",
  "start p50/p99 ms",
  "done p50/p99 ms",
];
const rows = [];
for (const file of files) {
  const r = JSON.parse(readFileSync(file, "utf8"));
  const c = r.config;
  const f = r.figures;
  const setting = [
    `${c.volunteers}x${c.workers}`,
    c.db,
    c.tasksPerWorker ? `tpw=${c.tasksPerWorker}` : null,
    c.dispatchMode ? `mode=${c.dispatchMode}` : null,
    c.javaOpts ? `jvm="${c.javaOpts}"` : null,
    c.home && !c.home.endsWith("/main") ? `home=${c.home}` : null,
  ]
    .filter(Boolean)
    .join(" ");
  const l = r.latency;
  rows.push([
    basename(file, ".json"),
    setting,
    spread(f.tasksPerSecServer),
    r2(r.ratios.vsWasimoff1452),
    r2(r.ratios.vsLocalInline),
    f.dbMicrosPerTask?.median > 0
      ? `${r0(f.serverMicrosPerTask.median)}+${r0(f.dbMicrosPerTask.median)}`
      : spread(f.serverMicrosPerTask),
    r0(f.volunteerMicrosPerTask.median),
    r1(f.jitSharePct?.median),
    `${r2(f.serverCores.median)}/${r2(f.volunteerCores.median)}/${r2(f.otherCores.median)}`,
    r1(f.idlePct.median),
    l ? `${r1(l.serverSubmitToStartMs.p50)}/${r1(l.serverSubmitToStartMs.p99)}` : "-",
    l ? `${r1(l.serverSubmitToSucceededMs.p50)}/${r1(l.serverSubmitToSucceededMs.p99)}` : "-",
  ]);
}

if (markdown) {
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
} else {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}
