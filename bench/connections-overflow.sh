#!/usr/bin/env bash
# What one server instance does when it is offered more connections than it has open files: a
# fresh server, then CLIENTS processes of bench/connections.mjs (each within its own open-file
# limit) opening PER_CLIENT idle volunteer connections at once and holding them while /health is
# timed. Prints each client's step line (held, refused, /health failures, server CPU) and how
# often the server logged "Too many open files".
#
#   bench/connections-overflow.sh [PER_CLIENT (10500)] [CLIENTS (2)] [HOLD_S (30)]
set -euo pipefail
export SURGE_KERNEL_POLICY="${SURGE_KERNEL_POLICY:-any-user}"
bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
. "$bench/lib/credentials.sh"
. "$bench/lib/server.sh"
per_client="${1:-10500}" clients="${2:-2}" hold="${3:-30}"
for n in "$per_client" "$clients" "$hold"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "connections-overflow.sh: whole numbers >= 1 only" >&2; exit 2; }
done
ulimit -n "$(ulimit -Hn)"
bench_operator_token
tmp="$(mktemp -d /tmp/surge-connections-overflow.XXXXXX)"
BENCH_SERVER_PID=""
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$BENCH_SERVER_PID" ] && bench_stop_pid "$BENCH_SERVER_PID" 20
  rm -rf "$tmp"
}
trap cleanup EXIT
export SURGE_JAVA_OPTS="-Xmx4g -XX:+UseParallelGC"
bench_start_server "$repo" "$tmp/data" "$tmp/server.log"
echo "bench: server pid $BENCH_SERVER_PID, open files $(ulimit -n); $clients clients x $per_client connections" >&2
bench_volunteer_key "$BENCH_SERVER_URL"
for i in $(seq 1 "$clients"); do
  node "$bench/connections.mjs" --server "$BENCH_SERVER_URL" --server-pid "$BENCH_SERVER_PID" \
    --key "$SURGE_VOLUNTEER_KEY" --connections "$per_client" --hold "$hold" \
    >/dev/null 2>"$tmp/client-$i.err" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
pids=()
grep -h "connections (opened" "$tmp"/client-*.err || true
echo "bench: 'Too many open files' in the server log: $(grep -c 'Too many open files' "$tmp/server.log" || true)"
