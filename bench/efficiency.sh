#!/usr/bin/env bash
# Surge parallel efficiency: the sample jobs (examples/jobs/pi.sh at 720 x 2 M and 72 x 20 M
# samples, mandelbrot.sh at 4000x3000 in 60 bands) through the real server and real volunteers,
# against the native whole-job builds on one core of the same machine:
#   efficiency = native one-core time / (volunteers x workers x makespan)
# plus a per-task breakdown and the first task of a fresh volunteer against its warm ones.
#
#   bench/efficiency.sh [options]
#     --volunteers N     volunteer processes or browser pages (default 2)
#     --workers N        workers per volunteer (default 1)
#     --runs R           measured runs of each job and native runs (default 3); medians reported
#     --jobs LIST        of pi720,pi72,mandel (default all three)
#     --first-jobs LIST  jobs run on fresh volunteers for the first-task figure (default pi72,mandel;
#                        "" skips)
#     --browser          volunteers are headless Chromium pages (CHROMIUM, default /usr/bin/chromium)
#     --verify MODE      the jobs' verification (default none: the bench's volunteers are trusted
#                        machines; "adaptive" shows what the server's own checking costs)
#     --no-warmup        measure the first job of each kernel too (default: one small warm-up job each)
#     --server-warmup N  noop tasks run once before the first block, so that the server's JIT has
#                        compiled its hot path (default 20000; 0 skips)
#     --home DIR         the Surge checkout to run (server build and worker-runtime); default: this one
#     --runtime DIR      the worker-runtime directory to measure (default: --home's)
#     --baseline DIR     a worker-runtime directory to measure in the same run, block by block
#                        before the candidate (--home's), for before/after ratios; e.g. from
#                        git archive <commit> worker-runtime | tar -x -C /tmp/base (link node_modules)
#     --label TEXT       added to the results file name
#     --keep             keep the temporary directory (server log, data)
#
# Prints a table and writes bench/results/efficiency-<UTC timestamp>[-label].json.
set -euo pipefail
export SURGE_KERNEL_POLICY="${SURGE_KERNEL_POLICY:-any-user}"

bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
. "$repo/bench/lib/credentials.sh"
bench_operator_token
home="$repo" volunteers=2 workers=1 runs=3 jobs="pi720,pi72,mandel" first_jobs="pi72,mandel"
server_warmup=20000 browser=0 verify=none warmup=1 label="" keep=0 baseline="" runtime=""
cmdline="bench/efficiency.sh"
[ $# -gt 0 ] && cmdline+="$(printf ' %q' "$@")"
die() { echo "efficiency.sh: $*" >&2; exit 2; }
need_int() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] || die "$1 must be a whole number of at least 1, got '$2'"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --volunteers) need_int "$1" "${2-}"; volunteers=$2; shift 2 ;;
    --workers) need_int "$1" "${2-}"; workers=$2; shift 2 ;;
    --runs) need_int "$1" "${2-}"; runs=$2; shift 2 ;;
    --jobs) jobs="${2-}"; shift 2 ;;
    --first-jobs) first_jobs="${2-}"; shift 2 ;;
    --browser) browser=1; shift ;;
    --verify) verify="${2-}"; [ -n "$verify" ] || die "--verify needs a value"; shift 2 ;;
    --no-warmup) warmup=0; shift ;;
    --server-warmup) [[ "${2-}" =~ ^[0-9]+$ ]] || die "--server-warmup must be a whole number"; server_warmup=$2; shift 2 ;;
    --runtime) runtime="$(cd "${2:?--runtime needs a directory}" && pwd)"; shift 2 ;;
    --baseline) baseline="$(cd "${2:?--baseline needs a directory}" && pwd)"; shift 2 ;;
    --home) home="$(cd "${2:?--home needs a directory}" && pwd)"; shift 2 ;;
    --label) label="${2-}"; [[ "$label" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label: letters, digits, . _ - only"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done

kernels="$repo/examples/kernels/build"
for f in wasm/montecarlo.wasm wasm/mandelbrot.wasm wasm/noop.wasm native/montecarlo-whole native/mandelbrot-whole; do
  [ -f "$kernels/$f" ] || { make -s -C "$repo/examples/kernels" >&2; break; }
done
[ -f "$home/offload-server/target/surge.war" ] || die "no server build in $home; build it:
  mvn -q -pl policies,slurm-common,offload-server package -DskipTests"
[ -d "$home/worker-runtime/node_modules/ws" ] || die "worker-runtime dependencies missing: npm ci --prefix $home/worker-runtime"

say() { echo "bench: $*" >&2; }
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$bench/results"
out="$bench/results/efficiency-${stamp}${label:+-$label}.json"
tmp="$(mktemp -d /tmp/surge-efficiency.XXXXXX)"
server_pid=""
stop_pid() { # pid seconds
  kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 $(($2 * 10))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  [ -n "$server_pid" ] && stop_pid "$server_pid" 30
  if [ "$keep" = 1 ] || [ "$rc" != 0 ]; then say "logs and data kept in $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
url="http://127.0.0.1:$port"
mkdir -p "$tmp/data"
(
  export SURGE_DATA_DIR="$tmp/data"
  # The browser pages come from the benchmark's own origin (a random port).
  [ "$browser" = 1 ] && export SURGE_ALLOWED_ORIGINS='*'
  exec "$home/bin/surge-server" --port "$port"
) >"$tmp/server.log" 2>&1 &
server_pid=$!
read -r load1 _ < /proc/loadavg
say "machine: $(nproc) cores, load $load1; server pid $server_pid on $url, waiting for /health"
started=$SECONDS
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/health" || true)" = 200 ]; do
  kill -0 "$server_pid" 2>/dev/null || { tail -20 "$tmp/server.log" >&2; die "the server exited"; }
  [ $((SECONDS - started)) -lt 240 ] || { tail -20 "$tmp/server.log" >&2; die "no healthy server after 240 s"; }
  sleep 0.5
done
say "server healthy after $((SECONDS - started)) s"
bench_volunteer_key "$url"

BENCH_CMD="$cmdline" BENCH_HOME="$home" \
BENCH_COMMIT="$(git -C "$home" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
BENCH_DIRTY="$(git -C "$home" status --porcelain --untracked-files=no -- worker-runtime offload-server 2>/dev/null | wc -l)" \
node -e '
  const os = require("os"), e = process.env;
  require("fs").writeFileSync(process.argv[1], JSON.stringify({ command: e.BENCH_CMD,
    home: e.BENCH_HOME, commit: e.BENCH_COMMIT, uncommittedChanges: Number(e.BENCH_DIRTY),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0].model, loadAtStart: os.loadavg(),
      node: process.version } }));' "$tmp/config.json"

node "$bench/efficiency.mjs" --server "$url" --server-pid "$server_pid" --runtime "${runtime:-$home/worker-runtime}" --kernels "$kernels" \
  --volunteers "$volunteers" --workers "$workers" --runs "$runs" --jobs "$jobs" \
  --first-jobs "$first_jobs" --verify "$verify" --warmup "$warmup" --server-warmup "$server_warmup" \
  ${baseline:+--baseline-runtime "$baseline"} $([ "$browser" = 1 ] && echo --browser) --config "$tmp/config.json" --out "$out"
say "results: ${out#"$repo"/}"
