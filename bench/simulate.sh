#!/usr/bin/env bash
# The discrete-event simulator (simulator/, surge.simulator.Main): the real dispatch and
# verification policies, simulated visitors and a simulated clock. See docs/simulator.md.
#
#   bench/simulate.sh run [field=value ...]        one scenario, its outcome as JSON on stdout
#   bench/simulate.sh sweep [--rates R,..] [--shapes K,..] [--policies P,..] [--seeds N]
#                           [--wasm-factor F] [field=value ...]
#        Panther's Monte Carlo job (720 tasks × 200 M samples) for 1,000 to 100,000 visitors per
#        hour against constant sessions of the same mean number. A task's time (taskMs) is the
#        native build's time for one task of 200 M samples on this machine × F (default 1.3, the
#        warm wasm/native ratio in Node's WASI; give taskMs=... to set it yourself).
#   bench/simulate.sh calibrate [--churn F] [--seeds N] [field=value ...]
#        the configurations of a bench/churn.sh result (default: the newest), simulated on a
#        2-core host; the ratio simulated / real makespan per run
#   bench/simulate.sh plots [--results DIR] [--out DIR]
#        PNG plots from the newest results of each kind (default bench/results → docs/img)
#
# sweep and calibrate write bench/results/<UTC timestamp>-sim-<command>.json and .csv.
set -euo pipefail
bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
jar="$repo/simulator/target/surge-simulator.jar"
die() { echo "simulate.sh: $*" >&2; exit 2; }
[ $# -ge 1 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 2; }
case "$1" in -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;; esac
if [ ! -f "$jar" ] || [ -n "$(find "$repo/simulator/src" "$repo/policies/src/main" -newer "$jar" -name '*.java' -print -quit)" ]; then
  echo "simulate.sh: building the simulator" >&2
  mvn -o -q -B -f "$repo/pom.xml" -pl policies,simulator install -DskipTests -Djacoco.skip=true >&2 ||
    die "the simulator did not build (mvn -pl policies,simulator install)"
fi
cmd=$1; shift
cmdline="bench/simulate.sh $cmd"
[ $# -gt 0 ] && cmdline+="$(printf ' %q' "$@")"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$bench/results"
java_run() { java -Xmx1g -Dsurge.simulate.command="$cmdline" -jar "$jar" "$@"; }

case "$cmd" in
  run) java_run run "$@" ;;
  sweep)
    args=() factor=1.3 task_ms=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --wasm-factor) [[ "${2-}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--wasm-factor must be a number, got '${2-}'"; factor=$2; shift 2 ;;
        taskMs=*) task_ms=${1#taskMs=}; args+=("$1"); shift ;;
        *) args+=("$1"); shift ;;
      esac
    done
    if [ -z "$task_ms" ]; then
      native="$repo/examples/kernels/build/native/montecarlo"
      [ -x "$native" ] || make -s -C "$repo/examples/kernels" >&2
      best=""
      for _ in 1 2 3; do
        t0=$(date +%s%N)
        SURGE_TASK_INDEX=0 SURGE_TASK_COUNT=720 "$native" 200000000 >/dev/null
        t=$(( ($(date +%s%N) - t0) / 1000000 ))
        [ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
      done
      task_ms=$(echo "$best * $factor" | bc)
      read -r load _ </proc/loadavg
      echo "simulate.sh: one native task of 200 M samples: $best ms (best of 3, load $load); taskMs = $task_ms" >&2
      args+=("taskMs=$task_ms")
    fi
    java_run sweep --out "$bench/results/$stamp-sim-sweep" "${args[@]}" ;;
  calibrate)
    churn="" args=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --churn) churn="${2-}"; shift 2 ;;
        *) args+=("$1"); shift ;;
      esac
    done
    if [ -z "$churn" ]; then
      churn="$(ls "$bench"/results/*-churn*.json 2>/dev/null | sort | tail -1 || true)"
      [ -n "$churn" ] || die "no bench/results/*-churn*.json: run bench/churn.sh first, or give --churn FILE"
    fi
    [ -f "$churn" ] || die "--churn: no file $churn"
    echo "simulate.sh: calibrating against $churn" >&2
    java_run calibrate --churn "$churn" --out "$bench/results/$stamp-sim-calibrate" "${args[@]}" ;;
  plots)
    results="$bench/results" out="$repo/docs/img"
    while [ $# -gt 0 ]; do
      case "$1" in
        --results) results="${2-}"; shift 2 ;;
        --out) out="${2-}"; shift 2 ;;
        *) die "plots: unknown option '$1'" ;;
      esac
    done
    java_run plots --results "$results" --out "$out" ;;
  *) die "unknown command '$cmd': run, sweep, calibrate or plots" ;;
esac
