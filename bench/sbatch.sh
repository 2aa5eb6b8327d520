#!/usr/bin/env bash
# sbatch to first task running on the volunteer partition: the real local Slurm cluster
# (deploy/slurm/local-cluster.sh, in a throwaway directory), the real server and two headless
# volunteers, jobs submitted with sbatch one after another. The baseline, run in the same go and
# interleaved, is a bare job on the same partition that only records when its script started.
#
#   bench/sbatch.sh [--runs N] [--warmup N] [--keep]
#     --runs N     measured rounds (default 40); each round is one bare and one Surge job
#     --warmup N   rounds before measuring, not counted (default 3): the first launcher and
#                  dispatcher calls pay for class loading
#     --keep       keep the temporary directory (logs, job files) and print its path
#
# Prints p50/p99 with the parts (Slurm start, launcher, dispatch) and writes
# bench/results/<UTC timestamp>-sbatch.json. See docs/benchmarks.md.
set -euo pipefail
# Benchmarks measure dispatch, not kernel approval: every user may run any kernel.
export SURGE_KERNEL_POLICY="${SURGE_KERNEL_POLICY:-any-user}"

bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
# Every call needs a credential: an operator token for this run, sent by the CLI and api.mjs.
. "$repo/bench/lib/credentials.sh"
bench_operator_token
runs=40 warmup=3 keep=0
cmdline="bench/sbatch.sh"
[ $# -gt 0 ] && cmdline+="$(printf ' %q' "$@")"
die() { echo "sbatch.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --warmup) warmup="${2:?--warmup needs a number}"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) die "unknown option '$1' (see the header of bench/sbatch.sh)" ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive whole number, got '$runs'"
[[ "$warmup" =~ ^[0-9]+$ ]] || die "--warmup must be a whole number, got '$warmup'"
say() { echo "sbatch.sh: $*" >&2; }

kernel="$repo/examples/kernels/build/wasm/noop.wasm"
[ -f "$kernel" ] || die "$kernel is missing: mvn -q package -DskipTests first"
[ -f "$repo/offload-server/target/surge.war" ] || die "the server is not built: mvn -q package -DskipTests first"
[ -f "$repo/slurm-bridge/target/surge.jar" ] || die "surge.jar is not built: mvn -q package -DskipTests first"

tmp="$(mktemp -d /tmp/surge-sbatch-bench.XXXXXX)"
chmod 755 "$tmp" # munged wants its socket path searchable by all
mkdir -p "$repo/bench/results" "$tmp/jobs" "$tmp/data"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$repo/bench/results/$stamp-sbatch.json"
export SURGE_SLURM_DIR="$tmp/slurm"
cluster="$repo/deploy/slurm/local-cluster.sh"
server_pid="" volunteer_pids=()

cleanup() {
  for p in "${volunteer_pids[@]}" $server_pid; do kill "$p" 2>/dev/null || true; done
  "$cluster" stop >/dev/null 2>&1 || true
  if [ "$keep" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

read -r load1 _ < /proc/loadavg
say "machine: $(nproc) cores, load $load1 now (shared; see docs/benchmarks.md)"
"$cluster" start --fresh >&2
eval "$("$cluster" env)"

port="$(free_port)"
url="http://127.0.0.1:$port"
SURGE_DATA_DIR="$tmp/data" "$repo/bin/surge-server" --port "$port" >"$tmp/server.log" 2>&1 &
server_pid=$!
started=$SECONDS
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/health" || true)" = 200 ]; do
  kill -0 "$server_pid" 2>/dev/null || { tail -20 "$tmp/server.log" >&2; die "the server exited"; }
  [ $((SECONDS - started)) -lt 240 ] || die "no healthy server after 240 s"
  sleep 0.5
done
bench_volunteer_key "$url"
for i in 1 2; do
  "$repo/bin/surge-volunteer" --server "$url" --workers 1 --quiet >"$tmp/volunteer-$i.log" 2>&1 &
  volunteer_pids+=($!)
done
until curl -s "$url/health" | grep -q '"volunteers":2'; do sleep 0.2; done

CMD="$cmdline" COMMIT="$(git -C "$repo" rev-parse --short HEAD)" SLURM_VERSION="$(sbatch --version)" \
  JAVA_VERSION="$(java -version 2>&1 | head -1)" node -e '
    const fs = require("fs"), os = require("os"), e = process.env;
    fs.writeFileSync(process.argv[1], JSON.stringify({ command: e.CMD, commit: e.COMMIT,
      machine: { cores: os.cpus().length, loadAtStart: os.loadavg(), kernel: os.release() },
      slurm: e.SLURM_VERSION, java: e.JAVA_VERSION }, null, 2));' "$tmp/config.json"

PATH="$repo/bin:$PATH" SURGE_SERVER="$url" node "$bench/sbatch.mjs" --server "$url" \
  --jobs "$tmp/jobs" --kernel "$kernel" --runs "$runs" --warmup "$warmup" \
  --config "$tmp/config.json" --out "$out"
say "results: ${out#"$repo"/}"
