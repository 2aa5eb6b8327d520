#!/usr/bin/env bash
# Cold start: the first jobs right after a server start, repeated over several fresh starts,
# optionally A/B against another checkout with the starts interleaved (A, B, A, B, ...).
#
#   bench/coldstart.sh [--starts N] [--ab DIR] [--label TEXT] [-- throughput.sh options]
#     --starts N     fresh server starts per side (default 3)
#     --ab DIR       also run the checkout DIR (its bin/, server build, runtime) as side "a",
#                    interleaved with this one ("b"); without it only this checkout runs
#     --label TEXT   prefix of the results files' labels (default cold)
#     after --, options for bench/throughput.sh (e.g. --java-opts "...", --tasks 20000, --runs 2)
#
# Each start is `bench/throughput.sh --cold`: boot, wait for /health, connect the volunteers and
# run the first job(s) of 20,000 noop tasks with no warm-up. Prints, per side, the first job's
# tasks/s over the starts (median [min .. max]), how many starts beat wasimoff's 1,452 tasks/s,
# the server's CPU per task, the JIT's share of it and the boot time. See docs/benchmarks/coldstart.md.
set -euo pipefail
bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
starts=3 ab="" label=cold
die() { echo "coldstart.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --starts) [[ "${2-}" =~ ^[1-9][0-9]*$ ]] || die "--starts must be a whole number >= 1"; starts=$2; shift 2 ;;
    --ab) ab="$(cd "${2:?--ab needs a directory}" && pwd)"; shift 2 ;;
    --label) label="${2-}"; [[ "$label" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label: letters, digits, . _ - only"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done
files_a=() files_b=()
run_one() { # side home-args...
  local side=$1; shift
  local log
  log="$(mktemp /tmp/surge-coldstart.XXXXXX)"
  "$bench/throughput.sh" --cold --label "$label-$side" "$@" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; die "a run failed"; }
  local f
  f="$(grep -o 'results: .*' "$log" | tail -1 | sed 's/^results: //')"
  grep -E '^bench: (server healthy|run )' "$log" | sed "s/^/[$side] /" >&2
  rm -f "$log"
  echo "$f"
}
repo="$(cd "$bench/.." && pwd)"
for i in $(seq 1 "$starts"); do
  if [ -n "$ab" ]; then files_a+=("$repo/$(run_one a --home "$ab" "$@")"); fi
  files_b+=("$repo/$(run_one b "$@")")
done
node - "${#files_a[@]}" "${files_a[@]}" "${files_b[@]}" <<'JS'
const fs = require("fs");
const [na, ...rest] = process.argv.slice(2);
const a = rest.slice(0, Number(na)), b = rest.slice(Number(na));
const med = (v) => { const s = [...v].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const r0 = (x) => Math.round(x).toLocaleString("en-US");
function side(name, files) {
  if (!files.length) return null;
  const runs = files.map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
  const first = runs.map((r) => r.throughput[0]);
  const rate = first.map((t) => t.tasksPerSecServer);
  const jit = runs.map((r) => r.figures.jitSharePct.min);
  const srv = first.map((t) => t.microsPerTask.server);
  const boot = runs.map((r) => r.bootMs).filter((x) => x != null);
  const load = runs.map((r) => r.config.machine.loadAtStart[0]);
  console.log(`${name}: ${runs[0].config.home} @ ${runs[0].config.commit}${runs[0].config.javaOpts ? ` (java opts ${runs[0].config.javaOpts})` : ""}`);
  console.log(`  first 20,000 tasks, tasks/s: median ${r0(med(rate))} [${r0(Math.min(...rate))} .. ${r0(Math.max(...rate))}] over ${rate.length} starts; ${rate.filter((x) => x > 1452).length}/${rate.length} above 1,452; each: ${rate.map(r0).join(" ")}`);
  console.log(`  server CPU µs/task ${r0(med(srv))}, JIT share ${med(jit).toFixed(1)}%, boot to /health ${boot.length ? r0(med(boot)) + " ms" : "-"}, load at start ${load.map((x) => x.toFixed(1)).join(" ")}`);
  console.log(`  files: ${files.map((f) => f.replace(/.*\//, "")).join(" ")}`);
  return med(rate);
}
const ma = side("a", a), mb = side("b", b);
if (ma && mb) console.log(`ratio b/a of the medians: ${(mb / ma).toFixed(2)}`);
JS
