#!/usr/bin/env bash
# Volunteers leaving mid-job, under each dispatch policy: the merged result must stay
# byte-identical to the native build's. Real server, real headless Node volunteers (distinct keys,
# so tail copies may go to a second identity): 3 at start, one killed (SIGKILL) at a quarter of
# the tasks, one stopped (SIGTERM, releasing its tasks) at half, and a new one then; in the tail
# (nothing queued) one frozen (SIGSTOP) with its tasks until the server misses its heartbeats.
#
#   bench/leave.sh [--policies async,dwell] [--tasks 48] [--samples 20000000] [--keep]
#
# Prints one line per policy and writes bench/results/<UTC>-leave.json. Exit 1 if any result
# differs from native. See docs/dispatch.md.
set -euo pipefail
export SURGE_KERNEL_POLICY=any-user SURGE_VERIFY=replicate=1
bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
. "$repo/bench/lib/credentials.sh"
bench_operator_token
policies=async,dwell tasks=48 samples=20000000 keep=0
die() { echo "leave.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --policies) policies="${2:?}"; shift 2 ;;
    --tasks) tasks="${2:?}"; shift 2 ;;
    --samples) samples="${2:?}"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) die "unknown option '$1' (see the header of bench/leave.sh)" ;;
  esac
done
kernel="$repo/examples/kernels/build/wasm/montecarlo.wasm"
native="$repo/examples/kernels/build/native/montecarlo"
[ -f "$kernel" ] && [ -x "$native" ] || die "kernels missing: make -C examples/kernels"
[ -f "$repo/offload-server/target/surge.war" ] || die "no server build: mvn -q -pl policies,slurm-common,offload-server package -DskipTests"
tmp="$(mktemp -d /tmp/surge-leave.XXXXXX)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  if [ "$keep" = 1 ]; then echo "leave.sh: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
read -r load1 _ < /proc/loadavg
echo "leave.sh: $(nproc) cores, load $load1 at start" >&2
rc=0
results=()
for policy in ${policies//,/ }; do
  port="$(free_port)" url="http://127.0.0.1:$port"
  mkdir -p "$tmp/$policy/data"
  SURGE_DISPATCH_MODE="$policy" SURGE_DATA_DIR="$tmp/$policy/data" \
    "$repo/bin/surge-server" --port "$port" >"$tmp/$policy/server.log" 2>&1 &
  server_pid=$!
  started=$SECONDS
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/health" || true)" = 200 ]; do
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$tmp/$policy/server.log" >&2; die "the server exited"; }
    [ $((SECONDS - started)) -lt 240 ] || die "no healthy server after 240 s"
    sleep 0.5
  done
  keys=""
  for i in 1 2 3 4; do keys+="${keys:+,}$(bench_new_volunteer_key "$url" "leave-$policy-$i" false)"; done
  node "$bench/leave.mjs" --server "$url" --keys "$keys" --kernel "$kernel" --native "$native" \
    --tasks "$tasks" --samples "$samples" --policy "$policy" --out "$tmp/$policy/result.json" \
    --logs "$tmp/$policy" || rc=1
  results+=("$tmp/$policy/result.json")
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true
  server_pid=""
done
mkdir -p "$bench/results"
out="$bench/results/$(date -u +%Y%m%dT%H%M%SZ)-leave.json"
CMD="bench/leave.sh --policies $policies --tasks $tasks --samples $samples" LOAD="$load1" \
  node -e 'const fs=require("fs");const [out,...f]=process.argv.slice(1);
  fs.writeFileSync(out, JSON.stringify({command: process.env.CMD, loadAtStart: Number(process.env.LOAD),
    runs: f.filter(fs.existsSync).map(x=>JSON.parse(fs.readFileSync(x,"utf8")))}, null, 2))' \
  "$out" "${results[@]}"
echo "leave.sh: results in ${out#"$repo"/}" >&2
exit $rc
