#!/usr/bin/env bash
# How many idle volunteer connections one server instance holds, and what each costs: a fresh
# server, then bench/connections.mjs opens volunteer WebSockets step by step (hello with a volunteer
# key, then heartbeats only) and records the server's resident memory and heap per connection,
# its CPU, the handshake rate and /health latency at every step.
#
#   bench/connections.sh [--connections N] [--steps LIST] [--heap SIZE] [--label TEXT] [--keep]
#     --connections N   connections at the last step (default 2000)
#     --steps LIST      e.g. 1000,10000,50000 (default: the last step only)
#     --heap SIZE       the server's -Xmx (default 1g; more connections need more)
#     --hold S          seconds each step is held while /health is timed (default 15)
#     --label TEXT      added to the results file name
#     --keep            keep the temporary directory (server log, data)
#     --busy-beats      idle volunteers beat every heartbeatMs, ignoring the welcome's
#                       idleHeartbeatMs (as runtimes before it did)
#
# Writes bench/results/<UTC timestamp>-connections[-label].json. Raises the open-file limit of the
# server and the clients to what the machine allows (ulimit -Hn).
set -euo pipefail
export SURGE_KERNEL_POLICY="${SURGE_KERNEL_POLICY:-any-user}"
bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
. "$bench/lib/credentials.sh"
. "$bench/lib/server.sh"
connections=2000 steps="" heap=1g hold=15 label="" keep=0 busy=""
die() { echo "connections.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) [[ "${2-}" =~ ^[1-9][0-9]*$ ]] || die "--connections must be a whole number >= 1"; connections=$2; shift 2 ;;
    --steps) steps="${2-}"; [[ "$steps" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--steps: whole numbers separated by commas"; shift 2 ;;
    --heap) heap="${2-}"; [[ "$heap" =~ ^[0-9]+[mMgG]$ ]] || die "--heap: like 1g or 512m"; shift 2 ;;
    --hold) [[ "${2-}" =~ ^[1-9][0-9]*$ ]] || die "--hold must be a whole number of seconds"; hold=$2; shift 2 ;;
    --label) label="${2-}"; [[ "$label" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label: letters, digits, . _ - only"; shift 2 ;;
    --keep) keep=1; shift ;;
    --busy-beats) busy=--busy-beats; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done
[ -f "$repo/offload-server/target/surge.war" ] || die "no server build; run: mvn -q -pl policies,wasm-compiler,offload-server -am package -DskipTests"
[ -d "$repo/worker-runtime/node_modules/ws" ] || die "worker-runtime dependencies missing: npm ci --prefix $repo/worker-runtime"
ulimit -n "$(ulimit -Hn)"
# The server and this one client process each need a socket per connection (the JVM raises its
# soft limit to the hard limit itself); past it the server refuses connections and /health.
if [ "$connections" -gt $(($(ulimit -n) - 500)) ]; then
  echo "connections.sh: warning: $connections connections against an open-file limit of $(ulimit -n) (ulimit -Hn): the last steps will hit it" >&2
fi
bench_operator_token
tmp="$(mktemp -d /tmp/surge-connections.XXXXXX)"
BENCH_SERVER_PID=""
cleanup() {
  [ -n "$BENCH_SERVER_PID" ] && bench_stop_pid "$BENCH_SERVER_PID" 20
  if [ "$keep" = 1 ]; then echo "bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
export SURGE_JAVA_OPTS="-Xmx$heap -XX:+UseParallelGC"
bench_start_server "$repo" "$tmp/data" "$tmp/server.log"
echo "bench: server pid $BENCH_SERVER_PID on $BENCH_SERVER_URL healthy after $BENCH_BOOT_MS ms; open files $(ulimit -n)" >&2
bench_volunteer_key "$BENCH_SERVER_URL"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$bench/results"
out="$bench/results/${stamp}-connections${label:+-$label}.json"
node "$bench/connections.mjs" --server "$BENCH_SERVER_URL" --server-pid "$BENCH_SERVER_PID" \
  --key "$SURGE_VOLUNTEER_KEY" --connections "$connections" ${steps:+--steps "$steps"} \
  --hold "$hold" --out "$out" $busy >/dev/null
echo "bench: results: ${out#"$repo/"}" >&2
