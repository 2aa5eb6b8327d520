#!/usr/bin/env bash
# Runs bench/throughput.sh once per setting, to find what limits throughput, then summarizes:
#   bench/sweep.sh [--only NAME[,NAME...]] [-- options for every throughput.sh run]
# Settings (labels of the results files):
#   base           2 volunteers x 1 worker, server defaults
#   tpw1 tpw16 tpw64   SURGE_TASKS_PER_WORKER=1/16/64 (default 4): messages per task
#   v1x2 v4x1 v2x2     volunteer processes x workers
#   batch          SURGE_DISPATCH_MODE=batch
#   c1             SURGE_JAVA_OPTS with -XX:TieredStopAtLevel=1 (C1 only: no C2 warm-up)
#   serial         SURGE_JAVA_OPTS with -XX:+UseSerialGC
# Each run starts its own server; results land in bench/results/ with the label sweep-NAME.
set -euo pipefail
bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"

only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="${2:?--only needs names}"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
    *) echo "sweep.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done

jvm="-Xmx1g -XX:+UseParallelGC" # bin/surge-server's default, which SURGE_JAVA_OPTS replaces
declare -A settings=(
  [base]=""
  [tpw1]="--tasks-per-worker 1"
  [tpw16]="--tasks-per-worker 16"
  [tpw64]="--tasks-per-worker 64"
  [v1x2]="--volunteers 1 --workers 2"
  [v4x1]="--volunteers 4 --workers 1"
  [v2x2]="--volunteers 2 --workers 2"
  [batch]="--dispatch-mode batch"
)
order=(base tpw1 tpw16 tpw64 v1x2 v4x1 v2x2 batch c1 serial)
files=()
for name in "${order[@]}"; do
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
  echo "sweep: $name" >&2
  case "$name" in
    c1) extra=(--java-opts "$jvm -XX:TieredStopAtLevel=1") ;;
    serial) extra=(--java-opts "-Xmx1g -XX:+UseSerialGC") ;;
    *) read -r -a extra <<<"${settings[$name]}" ;;
  esac
  log="$(mktemp)"
  if "$bench/throughput.sh" --label "sweep-$name" "${extra[@]}" "$@" 2>&1 | tee "$log" >&2; then
    files+=("$(sed -n 's/^bench: results: //p' "$log" | tail -1)")
  else
    echo "sweep: $name failed" >&2
  fi
  rm -f "$log"
done
cd "$bench/.."
[ ${#files[@]} -gt 0 ] && node "$bench/summarize.mjs" "${files[@]}"
