#!/usr/bin/env bash
# Surge under saboteurs: the real server and N real headless volunteers, of which a share are
# saboteurs (worker-runtime/test/support/saboteur-volunteer.js: the same runtime, lying about
# its results), running Monte Carlo jobs with result verification. For every share, a fresh
# server and database, N new untrusted volunteer keys, and --jobs jobs one after another with the
# same volunteers (so their history carries over from job to job). Every task's merged output is
# compared with the examples' native build (examples/kernels/build/native/montecarlo, run once
# per task index: the trusted reference).
#
#   bench/saboteurs.sh [options]
#     --quick               a short run: 10 volunteers, shares 0,20, 2 jobs of 120 tasks
#                           (give it first: later options override it)
#     --volunteers N        volunteer processes, one worker each (default 20)
#     --shares LIST         saboteur shares in percent (default 0,10,20,35)
#     --jobs M              jobs per share (default 4)
#     --tasks T             tasks per job (default 400)
#     --samples S           Monte Carlo samples per task (default 1000000)
#     --saboteurs SPECS     how saboteur i behaves, round-robin over the comma-separated
#                           LIE/WRONG specs (default sometimes:0.5/collude,sleeper:30/collude,always/random);
#                           LIE: always | sometimes:P | sleeper:K; WRONG: random | consistent | collude
#     --verify MODE         the jobs' verify field (default adaptive); '-' sends none (a server
#                           without verification refuses the field)
#     --verify-error E      the jobs' verifyError (default: not sent, the server's default)
#     --baseline-verify M   verify field of the baseline run, 0 saboteurs (default replicate=1;
#                           '-' sends none); --no-baseline skips it
#     --timeout-s S         each job's deadline (default 900)
#     --label TEXT          added to the results file name
#     --keep                keep the temporary directory (logs, databases) and print its path
#
# Prints a markdown table and writes bench/results/<UTC timestamp>-saboteurs[-label].json.
# See docs/benchmarks.md, "Verification under saboteurs".
set -euo pipefail
# Benchmarks measure verification, not kernel approval: every user may run any kernel.
export SURGE_KERNEL_POLICY="${SURGE_KERNEL_POLICY:-any-user}"

bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
. "$repo/bench/lib/credentials.sh"
bench_operator_token

volunteers=20 shares=0,10,20,35 jobs=4 tasks=400 samples=1000000
specs="sometimes:0.5/collude,sleeper:30/collude,always/random"
verify=adaptive verify_error="" baseline_verify=replicate=1 baseline=1 timeout_s=900 label="" keep=0

cmdline="bench/saboteurs.sh"
[ $# -gt 0 ] && cmdline+="$(printf ' %q' "$@")"
die() { echo "saboteurs.sh: $*" >&2; exit 2; }
need_int() { [[ "${2-}" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] || die "$1 must be a whole number of at least 1, got '${2-}'"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) volunteers=10 shares=0,20 jobs=2 tasks=120 samples=100000; shift ;;
    --volunteers) need_int "$1" "${2-}"; volunteers=$2; shift 2 ;;
    --shares) shares="${2-}"; [[ "$shares" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--shares must be percentages such as 0,10,20,35, got '$shares'"; shift 2 ;;
    --jobs) need_int "$1" "${2-}"; jobs=$2; shift 2 ;;
    --tasks) need_int "$1" "${2-}"; tasks=$2; shift 2 ;;
    --samples) need_int "$1" "${2-}"; samples=$2; shift 2 ;;
    --saboteurs) specs="${2-}"; shift 2 ;;
    --verify) verify="${2-}"; [ -n "$verify" ] || die "--verify needs a mode (adaptive, replicate=N, none, or - for no field)"; shift 2 ;;
    --verify-error) verify_error="${2-}"; [[ "$verify_error" =~ ^[0-9.eE+-]+$ ]] || die "--verify-error must be a number such as 1e-4, got '$verify_error'"; shift 2 ;;
    --baseline-verify) baseline_verify="${2-}"; [ -n "$baseline_verify" ] || die "--baseline-verify needs a mode"; shift 2 ;;
    --no-baseline) baseline=0; shift ;;
    --timeout-s) need_int "$1" "${2-}"; timeout_s=$2; shift 2 ;;
    --label) label="${2-}"; [[ "$label" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label: letters, digits, . _ - only"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done
IFS=, read -r -a spec_list <<<"$specs"
for s in "${spec_list[@]}"; do
  [[ "$s" =~ ^(always|sometimes:[0-9.eE+-]+|sleeper:[0-9]+)/(random|consistent|collude)$ ]] ||
    die "--saboteurs: each spec is LIE/WRONG (LIE always, sometimes:P or sleeper:K; WRONG random, consistent or collude), got '$s'"
done
IFS=, read -r -a share_list <<<"$shares"
for s in "${share_list[@]}"; do [ "$s" -le 100 ] || die "--shares: $s is more than 100 %"; done

kernel="$repo/examples/kernels/build/wasm/montecarlo.wasm"
native="$repo/examples/kernels/build/native/montecarlo"
[ -f "$kernel" ] && [ -x "$native" ] || make -s -C "$repo/examples/kernels" >&2
[ -f "$repo/offload-server/target/surge.war" ] || die "no server build; build it:
  mvn -q -pl offload-server -am package -DskipTests"
[ -d "$repo/worker-runtime/node_modules/ws" ] || die "worker-runtime dependencies missing: npm ci --prefix $repo/worker-runtime"
saboteur_js="$repo/worker-runtime/test/support/saboteur-volunteer.js"

say() { echo "bench: $*" >&2; }
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$bench/results"
out="$bench/results/${stamp}-saboteurs${label:+-$label}.json"
tmp="$(mktemp -d /tmp/surge-saboteurs.XXXXXX)"
server_pid=""
volunteer_pids=()

stop_pid() { # pid seconds [signal]
  local pid=$1 wait=$2 sig=${3:-TERM}
  kill -0 "$pid" 2>/dev/null || return 0
  kill -"$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((wait * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
stop_volunteers() {
  local pid
  for pid in "${volunteer_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${volunteer_pids[@]}"; do stop_pid "$pid" 12; done
  volunteer_pids=()
}
stop_server() {
  [ -n "$server_pid" ] && stop_pid "$server_pid" 30
  server_pid=""
}
cleanup() {
  local rc=$?
  stop_volunteers
  stop_server
  if [ "$keep" = 1 ] || [ "$rc" != 0 ]; then say "logs and data kept in $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_server() { # run directory
  local port started
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  mkdir -p "$1/data"
  SURGE_DATA_DIR="$1/data" "$repo/bin/surge-server" --port "$port" >"$1/server.log" 2>&1 &
  server_pid=$!
  started=$SECONDS
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/health" || true)" = 200 ]; do
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$1/server.log" >&2; die "the server exited"; }
    [ $((SECONDS - started)) -lt 240 ] || { tail -20 "$1/server.log" >&2; die "no healthy server after 240 s"; }
    sleep 0.5
  done
  say "server pid $server_pid on $url healthy after $((SECONDS - started)) s"
}

# One run: a fresh server, $volunteers new untrusted keys, $2 % saboteurs, $jobs jobs.
run_share() { # name share-percent verify-mode is-baseline
  local dir="$tmp/runs/$1" share=$2 mode=$3 is_baseline=$4 i key spec k
  mkdir -p "$dir"
  k=$(( (volunteers * share + 50) / 100 ))
  say "run $1: $k of $volunteers volunteers are saboteurs, verify $mode"
  start_server "$dir"
  for i in $(seq 1 "$volunteers"); do
    key="$(bench_new_volunteer_key "$url" "bench-$1-$i" false)"
    if [ "$i" -le "$k" ]; then
      spec="${spec_list[$(( (i - 1) % ${#spec_list[@]} ))]}"
      node "$saboteur_js" --server "$url" --key "$key" --workers 1 --seed "$i" \
        --lie "${spec%/*}" --wrong "${spec#*/}" >"$dir/saboteur-$i.log" 2>&1 &
    else
      "$repo/bin/surge-volunteer" --server "$url" --key "$key" --workers 1 >"$dir/honest-$i.log" 2>&1 &
    fi
    volunteer_pids+=($!)
  done
  BENCH_NAME=$1 BENCH_SHARE=$share BENCH_K=$k BENCH_N=$volunteers BENCH_MODE="$mode" \
  BENCH_BASE=$is_baseline BENCH_SPECS="$specs" node -e '
    const e = process.env;
    require("fs").writeFileSync(process.argv[1], JSON.stringify({
      label: e.BENCH_NAME, sharePct: Number(e.BENCH_SHARE), saboteurs: Number(e.BENCH_K),
      volunteers: Number(e.BENCH_N), verify: e.BENCH_MODE, baseline: e.BENCH_BASE === "1",
      saboteurSpecs: Number(e.BENCH_K) ? e.BENCH_SPECS : null }, null, 2));' "$dir/run.json"
  local extra=()
  [ "$is_baseline" = 0 ] && [ -n "$verify_error" ] && extra+=(--verify-error "$verify_error")
  node "$bench/saboteurs.mjs" jobs --server "$url" --kernel "$kernel" --expected "$tmp/expected.json" \
    --tasks "$tasks" --samples "$samples" --jobs "$jobs" --volunteers "$volunteers" \
    --verify "$mode" --timeout-s "$timeout_s" --out "$dir/jobs.json" "${extra[@]}" ||
    say "run $1: the jobs did not all run (see above); going on with the next run"
  stop_volunteers
  stop_server
}

read -r load1 _ < /proc/loadavg
say "machine: $(nproc) cores, load $load1 now (other engineers share it; see docs/benchmarks.md)"
node "$bench/saboteurs.mjs" expected --native "$native" --tasks "$tasks" --samples "$samples" \
  --out "$tmp/expected.json"
BENCH_CMD="$cmdline" BENCH_T=$tasks BENCH_S=$samples BENCH_J=$jobs BENCH_N=$volunteers \
BENCH_SPECS="$specs" BENCH_VERIFY="$verify" BENCH_VE="$verify_error" \
BENCH_COMMIT="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" node -e '
  const os = require("os"), e = process.env;
  require("fs").writeFileSync(process.argv[1], JSON.stringify({
    command: e.BENCH_CMD, commit: e.BENCH_COMMIT, tasks: Number(e.BENCH_T), samples: Number(e.BENCH_S),
    jobs: Number(e.BENCH_J), volunteers: Number(e.BENCH_N), saboteurSpecs: e.BENCH_SPECS,
    verify: e.BENCH_VERIFY, verifyError: e.BENCH_VE ? Number(e.BENCH_VE) : null,
    reference: "examples/kernels/build/native/montecarlo, one process per task index",
    machine: { cores: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAtStart: os.loadavg(), node: process.version },
  }, null, 2));' "$tmp/runs-config.json"
mkdir -p "$tmp/runs" && mv "$tmp/runs-config.json" "$tmp/runs/config.json"

[ "$baseline" = 1 ] && run_share "00-baseline" 0 "$baseline_verify" 1
for s in "${share_list[@]}"; do run_share "$(printf '%03d' "$s")-share" "$s" "$verify" 0; done

node "$bench/saboteurs.mjs" report --dir "$tmp/runs" --out "$out"
say "results: ${out#"$repo"/}"
