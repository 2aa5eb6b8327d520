#!/usr/bin/env bash
# Surge under churn: the real server and real headless volunteers that come and go like web
# visitors. For every dispatch policy and checkpoint setting, a fresh server; for every job, first
# a run with constant sessions (the baseline, measured in the same go), then runs where visitors
# arrive as a Poisson process and leave after a Weibull dwell: a clean leave is SIGTERM (the
# volunteer releases its tasks, like a page's pagehide), an abrupt one SIGKILL. The Weibull scale
# makes the mean dwell --dwell-tasks task lengths (the mean task time of the constant run), and
# the arrival rate keeps the mean number of sessions at --sessions (Little's law).
# Every volunteer talks through a counting proxy (bench/lib/wire-counter.mjs) that counts
# messages and follows each session's tasks; every result is compared with the native build's.
#
#   bench/churn.sh [options]
#     --quick               a short run (under 2 minutes): montecarlo 32 × 10 M, 3 sessions,
#                           shape 0.75, clean leave, the default policy only (give it first)
#     --jobs LIST           montecarlo,mandelbrot (default both)
#     --policies LIST       SURGE_DISPATCH_MODE values (default: every one the server accepts)
#     --checkpoints LIST    on,off (default off,on; "on" is skipped with a message when this
#                           checkout's runtime has no checkpoint message; "off" on a server with
#                           checkpoints sets SURGE_CHECKPOINT_MEMORY=0, which turns them off)
#     --checkpoint-interval D  SURGE_CHECKPOINT_INTERVAL for "on" (default: the server's)
#     --shapes LIST         Weibull dwell shapes (default 0.5,0.75,1.0)
#     --leave LIST          clean,kill (default clean,kill)
#     --sessions N          mean number of volunteer sessions, one worker each (default 4)
#     --dwell-tasks D       mean dwell in task lengths (default 10)
#     --max-sessions N      arrivals beyond N sessions at once are turned away (default 3 × sessions)
#     --mc-tasks T          Monte Carlo tasks (default 120)
#     --mc-samples S        Monte Carlo samples per task (default 200000000, Panther's size)
#     --mb-tasks T          Mandelbrot bands (default 60)
#     --mb-size WxHxI       Mandelbrot width, height, max iterations (default 4000x3000x255)
#     --as browser|machine  how volunteers join (default browser: churn models web visitors):
#                           browser = `surge-volunteer --consent demo` (a consent token, as a page
#                           of the server's origin; the server gets SURGE_ALLOWED_ORIGINS='*'),
#                           counted as browser sessions (consent:<id>, untrusted); machine = with
#                           the bench's volunteer key (key:<id>, trusted)
#     --verify MODE         SURGE_VERIFY of the throwaway server (default: replicate=1 for browser, so
#                           untrusted sessions are not replicated and runs stay comparable with
#                           machine runs; the server's default, adaptive, for machine, where keyed
#                           sessions are trusted and run each task once)
#     --seed N              seed of arrivals and dwells (default 1)
#     --timeout-s S         each job's deadline (default 900)
#     --label TEXT          added to the results file name
#     --keep                keep the temporary directory (logs) and print its path
#
# Prints a markdown table and writes bench/results/<UTC timestamp>-churn[-label].json (+ .md).
# See docs/benchmarks/churn.md.
set -euo pipefail
export SURGE_KERNEL_POLICY="${SURGE_KERNEL_POLICY:-any-user}"

bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
. "$repo/bench/lib/credentials.sh"
bench_operator_token

jobs=montecarlo,mandelbrot policies="" checkpoints=off,on shapes=0.5,0.75,1.0 leaves=clean,kill
sessions=4 dwell_tasks=10 max_sessions="" mc_tasks=120 mc_samples=200000000 mb_tasks=60
mb_size=4000x3000x255 seed=1 timeout_s=900 label="" keep=0 ckpt_interval="" as=browser verify=""

cmdline="bench/churn.sh"
[ $# -gt 0 ] && cmdline+="$(printf ' %q' "$@")"
die() { echo "churn.sh: $*" >&2; exit 2; }
need_int() { [[ "${2-}" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] || die "$1 must be a whole number of at least 1, got '${2-}'"; }
need_list() { [[ "${2-}" =~ ^$3(,$3)*$ ]] || die "$1 must be a comma-separated list of $4, got '${2-}'"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) jobs=montecarlo policies=default checkpoints=off shapes=0.75 leaves=clean sessions=3
      dwell_tasks=6 mc_tasks=32 mc_samples=10000000 timeout_s=120; shift ;;
    --jobs) need_list "$1" "${2-}" '(montecarlo|mandelbrot)' "montecarlo, mandelbrot"; jobs=$2; shift 2 ;;
    --policies) need_list "$1" "${2-}" '[a-z0-9-]+' "policy names"; policies=$2; shift 2 ;;
    --checkpoints) need_list "$1" "${2-}" '(on|off)' "on, off"; checkpoints=$2; shift 2 ;;
    --shapes) need_list "$1" "${2-}" '[0-9]+(\.[0-9]+)?' "positive numbers"; shapes=$2; shift 2 ;;
    --leave) need_list "$1" "${2-}" '(clean|kill)' "clean, kill"; leaves=$2; shift 2 ;;
    --sessions) need_int "$1" "${2-}"; sessions=$2; shift 2 ;;
    --dwell-tasks) [[ "${2-}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--dwell-tasks must be a positive number, got '${2-}'"; dwell_tasks=$2; shift 2 ;;
    --max-sessions) need_int "$1" "${2-}"; max_sessions=$2; shift 2 ;;
    --mc-tasks) need_int "$1" "${2-}"; mc_tasks=$2; shift 2 ;;
    --mc-samples) need_int "$1" "${2-}"; mc_samples=$2; shift 2 ;;
    --mb-tasks) need_int "$1" "${2-}"; mb_tasks=$2; shift 2 ;;
    --mb-size) [[ "${2-}" =~ ^[0-9]+x[0-9]+x[0-9]+$ ]] || die "--mb-size must be WIDTHxHEIGHTxMAXITER such as 4000x3000x255, got '${2-}'"; mb_size=$2; shift 2 ;;
    --checkpoint-interval) [[ "${2-}" =~ ^[0-9]+(ms|s)$ ]] || die "--checkpoint-interval must be a duration such as 500ms or 2s, got '${2-}'"; ckpt_interval=$2; shift 2 ;;
    --as) [[ "${2-}" =~ ^(browser|machine)$ ]] || die "--as must be browser or machine, got '${2-}'"; as=$2; shift 2 ;;
    --verify) [[ "${2-}" =~ ^(adaptive|none|replicate=[0-9]+)$ ]] || die "--verify must be adaptive, none or replicate=N, got '${2-}'"; verify=$2; shift 2 ;;
    --seed) need_int "$1" "${2-}"; seed=$2; shift 2 ;;
    --timeout-s) need_int "$1" "${2-}"; timeout_s=$2; shift 2 ;;
    --label) label="${2-}"; [[ "$label" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label: letters, digits, . _ - only"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done
max_sessions="${max_sessions:-$((3 * sessions))}"
[ "$max_sessions" -ge "$sessions" ] || die "--max-sessions ($max_sessions) is below --sessions ($sessions)"

# The dispatch policies this checkout's server accepts: the built-in ones found by ServiceLoader
# (their name() in policies' BuiltInDispatch.java); older checkouts listed them in Settings.java
# or DispatchPolicies.NAMES.
accepted_policies() {
  local builtins="$repo/policies/src/main/java/surge/policies/BuiltInDispatch.java"
  local settings="$repo/offload-server/src/main/java/surge/config/Settings.java" line names=""
  if [ -f "$builtins" ]; then
    names="$(grep -A1 'public String name()' "$builtins" | grep -o 'return "[a-z0-9-]*"' |
      grep -o '"[a-z0-9-]*"' | tr -d '"' | paste -sd, -)"
  fi
  if [ -z "$names" ]; then
    line="$(grep -A2 '"SURGE_DISPATCH_MODE"' "$settings" | tr -d '\n' || true)"
    if [[ "$line" == *DispatchPolicies.NAMES* ]] || [ -z "$line" ]; then
      names="$(grep -o 'NAMES = List.of([^)]*)' "$repo/policies/src/main/java/surge/policies/DispatchPolicies.java" 2>/dev/null |
        grep -o '"[a-z0-9-]*"' | tr -d '"' | paste -sd, -)"
    else
      # oneOf("SURGE_DISPATCH_MODE", default, allowed...): every quoted word after the name.
      names="$(grep -o 'oneOf("SURGE_DISPATCH_MODE"[^)]*)' <<<"$line" | grep -o '"[a-z0-9-]*"' |
        tail -n +2 | tr -d '"' | paste -sd, -)"
    fi
  fi
  echo "${names:-async}"
}
accepted="$(accepted_policies)"
[ "$policies" = default ] && policies="${accepted%%,*}"
[ -n "$policies" ] || policies="$accepted"
IFS=, read -r -a policy_list <<<"$policies"
for p in "${policy_list[@]}"; do
  [[ ",$accepted," == *",$p,"* ]] || die "--policies: this server accepts SURGE_DISPATCH_MODE $accepted, not '$p'"
done

# Checkpoints exist when the runtime's protocol has a checkpoint message.
has_checkpoints=0
grep -q '^  checkpoint:' "$repo/worker-runtime/src/protocol.js" && has_checkpoints=1
IFS=, read -r -a ckpt_list <<<"$checkpoints"
run_ckpts=()
for c in "${ckpt_list[@]}"; do
  if [ "$c" = on ] && [ "$has_checkpoints" = 0 ]; then
    echo "churn.sh: skipping --checkpoints on: this checkout's runtime sends no checkpoints yet (no checkpoint message in worker-runtime/src/protocol.js)" >&2
    continue
  fi
  run_ckpts+=("$c")
done
[ ${#run_ckpts[@]} -gt 0 ] || die "nothing to run: no checkpoint setting left"

for k in montecarlo mandelbrot; do
  [ -f "$repo/examples/kernels/build/wasm/$k.wasm" ] && [ -x "$repo/examples/kernels/build/native/$k-whole" ] ||
    make -s -C "$repo/examples/kernels" >&2
done
[ -f "$repo/offload-server/target/surge.war" ] || die "no server build; build it:
  mvn -q -pl offload-server -am package -DskipTests"
[ -d "$repo/worker-runtime/node_modules/ws" ] || die "worker-runtime dependencies missing: npm ci --prefix $repo/worker-runtime"

say() { echo "bench: $*" >&2; }
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$bench/results"
out="$bench/results/${stamp}-churn${label:+-$label}.json"
tmp="$(mktemp -d /tmp/surge-churn.XXXXXX)"
server_pid=""

stop_pid() { # pid seconds
  local pid=$1 wait=$2
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((wait * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
stop_server() { [ -n "$server_pid" ] && stop_pid "$server_pid" 30; server_pid=""; }
cleanup() {
  local rc=$?
  stop_server
  if [ "$keep" = 1 ] || [ "$rc" != 0 ]; then say "logs kept in $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

start_server() { # directory, policy, checkpoints
  local port started
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  mkdir -p "$1/data"
  local env=(SURGE_DATA_DIR="$1/data" SURGE_DISPATCH_MODE="$2")
  # Browser visitors consent as pages of the server's own origin (through the counting proxy).
  [ "$as" = browser ] && env+=(SURGE_ALLOWED_ORIGINS='*')
  [ -n "$verify" ] && env+=(SURGE_VERIFY="$verify")
  if [ "$has_checkpoints" = 1 ]; then
    if [ "$3" = off ]; then env+=(SURGE_CHECKPOINT_MEMORY=0)
    elif [ -n "$ckpt_interval" ]; then env+=(SURGE_CHECKPOINT_INTERVAL="$ckpt_interval"); fi
  fi
  env "${env[@]}" "$repo/bin/surge-server" --port "$port" >"$1/server.log" 2>&1 &
  server_pid=$!
  started=$SECONDS
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/health" || true)" = 200 ]; do
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$1/server.log" >&2; die "the server exited"; }
    [ $((SECONDS - started)) -lt 240 ] || { tail -20 "$1/server.log" >&2; die "no healthy server after 240 s"; }
    sleep 0.5
  done
  say "server pid $server_pid ($2, checkpoints $3) on $url healthy after $((SECONDS - started)) s"
  bench_volunteer_key "$url"
}

# Every job's native answer (sha256 of the whole output) and native time on one core.
native_ref() { # job -> "sha seconds"
  local t0 t1 sha
  t0=$(date +%s.%N)
  case "$1" in
    montecarlo) sha=$("$repo/examples/kernels/build/native/montecarlo-whole" "$mc_tasks" "$mc_samples" | sha256sum) ;;
    mandelbrot) IFS=x read -r w h i <<<"$mb_size"
      sha=$("$repo/examples/kernels/build/native/mandelbrot-whole" "$mb_tasks" "$w" "$h" "$i" | sha256sum) ;;
  esac
  t1=$(date +%s.%N)
  # printf: bc writes .575 for a run under a second, which JSON does not accept.
  echo "${sha%% *} $(printf '%.3f' "$(echo "$t1 - $t0" | bc)")"
}

job_json() { # job sha
  case "$1" in
    montecarlo) printf '{"name":"montecarlo","kernel":"%s","tasks":%d,"args":["%s"],"merge":"sum","expectedSha256":"%s"}' \
      "$repo/examples/kernels/build/wasm/montecarlo.wasm" "$mc_tasks" "$mc_samples" "$2" ;;
    mandelbrot) IFS=x read -r w h i <<<"$mb_size"
      printf '{"name":"mandelbrot","kernel":"%s","tasks":%d,"args":["%s","%s","%s"],"merge":"concat","expectedSha256":"%s"}' \
      "$repo/examples/kernels/build/wasm/mandelbrot.wasm" "$mb_tasks" "$w" "$h" "$i" "$2" ;;
  esac
}

[ "$as" = browser ] && [ -z "$verify" ] && verify=replicate=1
if [ "$as" = browser ]; then who="consent tokens, untrusted consent:<id> sessions"
else who="a volunteer key, trusted key:<id> sessions"; fi
say "volunteers join as: $as ($who); SURGE_VERIFY=${verify:-adaptive, the server default}"
read -r load1 _ </proc/loadavg
say "machine: $(nproc) cores, load $load1 now (other engineers share it)"
IFS=, read -r -a job_list <<<"$jobs"
IFS=, read -r -a shape_list <<<"$shapes"
IFS=, read -r -a leave_list <<<"$leaves"
declare -A ref_sha ref_s
for j in "${job_list[@]}"; do
  read -r ref_sha[$j] ref_s[$j] < <(native_ref "$j")
  say "native $j: ${ref_s[$j]} s on one core"
done

n=0
run_one() { # dir spec-json
  mkdir -p "$1/logs"
  node "$bench/churn.mjs" run --server "$url" --key "$SURGE_VOLUNTEER_KEY" --volunteer "$repo/bin/surge-volunteer" \
    --logs "$1/logs" --spec "$2" --out "$1/run.json" || say "run $(basename "$1") did not succeed (see above)"
}
for p in "${policy_list[@]}"; do
  for c in "${run_ckpts[@]}"; do
    sdir="$tmp/server-$p-$c"
    start_server "$sdir" "$p" "$c"
    for j in "${job_list[@]}"; do
      job="$(job_json "$j" "${ref_sha[$j]}")"
      common="\"job\":$job,\"policy\":\"$p\",\"as\":\"$as\",\"verify\":\"${verify:-adaptive}\",\"checkpoints\":\"$c\",\"sessions\":$sessions,\"maxSessions\":$max_sessions,\"seed\":$seed,\"timeoutS\":$timeout_s,\"nativeS\":${ref_s[$j]}"
      n=$((n + 1)); d="$tmp/runs/$(printf %03d $n)-$j-$p-$c-constant"
      run_one "$d" "{\"label\":\"$j-$p-$c-constant\",\"mode\":\"constant\",$common}"
      [ -f "$d/run.json" ] || continue
      # The mean dwell, in this run's own task lengths.
      task_ms="$(node "$bench/churn.mjs" task-ms --dir "$d")"
      dwell_ms="$(echo "$task_ms * $dwell_tasks / 1" | bc)"
      say "$j: a task takes $task_ms ms with constant sessions; mean dwell $dwell_ms ms"
      for k in "${shape_list[@]}"; do
        for l in "${leave_list[@]}"; do
          n=$((n + 1)); d="$tmp/runs/$(printf %03d $n)-$j-$p-$c-churn-$k-$l"
          run_one "$d" "{\"label\":\"$j-$p-$c-$k-$l\",\"mode\":\"churn\",\"shape\":$k,\"leave\":\"$l\",\"dwellMs\":$dwell_ms,\"dwellTasks\":$dwell_tasks,$common}"
        done
      done
    done
    # What the server learnt of its sessions' dwell (dwell policy only): browser vs machine fit.
    if curl -sf -H "Authorization: Bearer $SURGE_ADMIN_TOKEN" "$url/metrics" >"$sdir/metrics.txt"; then
      grep '^surge_dispatch_dwell_fit' "$sdir/metrics.txt" >"$tmp/runs/dwell-fit-$p-$c.txt" &&
        say "$p/$c dwell fit: $(sed 's/surge_dispatch_dwell_fit//' "$tmp/runs/dwell-fit-$p-$c.txt" | tr '\n' ' ')" || true
    fi
    stop_server
  done
done

BENCH_CMD="$cmdline" BENCH_COMMIT="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" node -e '
  const os = require("os"), e = process.env;
  require("fs").writeFileSync(process.argv[1], JSON.stringify({ command: e.BENCH_CMD, commit: e.BENCH_COMMIT,
    machine: { cores: os.cpus().length, loadAtStart: os.loadavg(), node: process.version } }));' "$tmp/runs/config.json"
node "$bench/churn.mjs" report --dir "$tmp/runs" --out "$out" --markdown "${out%.json}.md"
say "results: ${out#"$repo"/}"
