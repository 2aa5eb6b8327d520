#!/usr/bin/env bash
# Checkpoint overhead end to end (docs/benchmarks/checkpoint.md): the real server on a free port
# with a fresh data directory, the sample jobs run by a Node volunteer with checkpoints on and one
# with them off, alternately, in the same run.
#
#   bench/checkpoint.sh [--rounds N] [--workers W] [--interval DURATION]
#     --interval   SURGE_CHECKPOINT_INTERVAL for the server (default 2s, the server's default)
set -euo pipefail
export SURGE_KERNEL_POLICY="${SURGE_KERNEL_POLICY:-any-user}"
bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
. "$repo/bench/lib/credentials.sh"
bench_operator_token
rounds=3 workers=2 interval=2s
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    *) echo "checkpoint.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -f "$repo/offload-server/target/surge.war" ] || { echo "checkpoint.sh: build the server first (mvn package)" >&2; exit 2; }
make -s -C "$repo/examples/kernels" >&2
tmp="$(mktemp -d)"
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
url="http://127.0.0.1:$port"
(
  export SURGE_DATA_DIR="$tmp/data" SURGE_CHECKPOINT_INTERVAL="$interval"
  exec "$repo/bin/surge-server" --port "$port"
) >"$tmp/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
started=$SECONDS
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/health" || true)" = 200 ]; do
  kill -0 "$server_pid" 2>/dev/null || { tail -20 "$tmp/server.log" >&2; exit 1; }
  [ $((SECONDS - started)) -lt 240 ] || { echo "no healthy server" >&2; exit 1; }
  sleep 0.5
done
bench_volunteer_key "$url"
echo "checkpoint.sh: server healthy after $((SECONDS - started)) s; SURGE_CHECKPOINT_INTERVAL=$interval" >&2
node "$bench/checkpoint.mjs" e2e --server "$url" --key "$SURGE_VOLUNTEER_KEY" --rounds "$rounds" --workers "$workers"
