#!/usr/bin/env bash
# Faults on the local cluster (deploy/cluster/local-cluster.sh: PostgreSQL, Surge instances, nginx)
# while a job runs on headless volunteers connected through nginx: for every fault, R times, submit
# a Monte Carlo job through nginx, inject the fault once a quarter of its tasks are done, wait for
# the job to end and compare its merged result byte for byte (sha256) with the native build's.
#
#   bench/cluster-faults.sh [options]
#     --faults LIST     comma-separated (default: the implemented ones, nginx-restart,postgres-restart;
#                       `all` for every fault, the others then reported as needing the claims part)
#                         nginx-restart       nginx stopped (SIGTERM), 2 s down, started again
#                         postgres-restart    PostgreSQL stopped (fast shutdown), 2 s down, started again
#                         kill-busiest        SIGKILL of the instance holding most tasks    [needs claims]
#                         kill-merger         SIGKILL of the instance running the merge     [needs claims]
#                         sigstop-past-lease  SIGSTOP of an instance past its lease, SIGCONT [needs claims]
#                         rescue-while-dead   a rescue due while its last poller is dead    [needs claims]
#     --repeat R        repetitions of each fault (default 3)
#     --instances N     Surge instances behind nginx (default 1: until the claims part lands, two
#                       instances do not share task queues, so a job runs only on the volunteers
#                       of the instance it was submitted to)
#     --volunteers V    headless volunteers, one worker each, connected through nginx (default 2)
#     --mc-tasks T      Monte Carlo tasks per job (default 48)
#     --mc-samples S    samples per task (default 100000000: about 0.2 s natively)
#     --down-s D        how long a restarted component stays down (default 2)
#     --timeout-s S     each job's limit (default 300)
#     --label TEXT      added to the results file name
#     --keep            leave the cluster running and keep its directory
#
# Prints a markdown table and writes bench/results/<UTC timestamp>-cluster-faults[-label].json.
# The cluster lives in ${SURGE_CLUSTER_DIR:-<repo>/.surge/cluster-faults}, made afresh.
set -euo pipefail

bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
CLUSTER=$repo/deploy/cluster/local-cluster.sh
export SURGE_CLUSTER_DIR=${SURGE_CLUSTER_DIR:-$repo/.surge/cluster-faults}
# The bench's instances run any kernel a user uploads (no approval step).
export SURGE_KERNEL_POLICY=${SURGE_KERNEL_POLICY:-any-user}

IMPLEMENTED=nginx-restart,postgres-restart
ALL=nginx-restart,postgres-restart,kill-busiest,kill-merger,sigstop-past-lease,rescue-while-dead
faults=$IMPLEMENTED repeat=3 instances=1 volunteers=2 mc_tasks=48 mc_samples=100000000 down_s=2
timeout_s=300 label="" keep=0

cmdline="bench/cluster-faults.sh"
[ $# -gt 0 ] && cmdline+="$(printf ' %q' "$@")"
die() { echo "cluster-faults.sh: $*" >&2; exit 2; }
need_int() { [[ "${2-}" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] || die "$1 must be a whole number of at least 1, got '${2-}'"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --faults) [ "${2-}" = all ] && set -- "$1" "$ALL" "${@:3}"
      [[ "${2-}" =~ ^[a-z-]+(,[a-z-]+)*$ ]] || die "--faults must be a comma-separated list of: $ALL (or all), got '${2-}'"
      IFS=, read -r -a _fs <<<"$2"
      for f in "${_fs[@]}"; do [[ ",$ALL," == *",$f,"* ]] || die "--faults: unknown fault '$f'; known: $ALL"; done
      faults=$2; shift 2 ;;
    --repeat) need_int "$1" "${2-}"; repeat=$2; shift 2 ;;
    --instances) need_int "$1" "${2-}"; instances=$2; shift 2 ;;
    --volunteers) need_int "$1" "${2-}"; volunteers=$2; shift 2 ;;
    --mc-tasks) need_int "$1" "${2-}"; mc_tasks=$2; shift 2 ;;
    --mc-samples) need_int "$1" "${2-}"; mc_samples=$2; shift 2 ;;
    --down-s) need_int "$1" "${2-}"; down_s=$2; shift 2 ;;
    --timeout-s) need_int "$1" "${2-}"; timeout_s=$2; shift 2 ;;
    --label) label="${2-}"; [[ "$label" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label: letters, digits, . _ - only"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done

wasm=$repo/examples/kernels/build/wasm/montecarlo.wasm
native=$repo/examples/kernels/build/native/montecarlo-whole
[ -f "$wasm" ] && [ -x "$native" ] || make -s -C "$repo/examples/kernels" >&2
[ -f "$repo/offload-server/target/surge.war" ] || die "no server build; build it:
  mvn -q -pl offload-server -am package -DskipTests"
[ -d "$repo/worker-runtime/node_modules/ws" ] || die "worker-runtime dependencies missing: npm ci --prefix $repo/worker-runtime"

say() { echo "bench: $*" >&2; }
now_ms() { date +%s%3N; }
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$bench/results"
out="$bench/results/${stamp}-cluster-faults${label:+-$label}.json"
rows="$(mktemp)"
volunteer_pids=()

cleanup() {
  local rc=$? p
  for p in "${volunteer_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${volunteer_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$keep" = 1 ]; then
    say "cluster left running: $CLUSTER status (SURGE_CLUSTER_DIR=$SURGE_CLUSTER_DIR)"
  else
    "$CLUSTER" stop >&2 || rc=1
  fi
  rm -f "$rows"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the cluster, its credentials, the volunteers ---------------------------------------------
"$CLUSTER" stop >/dev/null 2>&1 || true
rm -rf "$SURGE_CLUSTER_DIR"
"$CLUSTER" start --instances "$instances" >&2
eval "$("$CLUSTER" env)"
token=$(cat "$SURGE_ADMIN_TOKEN_FILE")
auth=(-H "Authorization: Bearer $token")
api() { curl -sf -m 30 "${auth[@]}" "$@"; }
# One field of the JSON on stdin, by a dotted path (tasks.done); nothing when absent or not JSON.
json_field() {
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    let v; try { v = process.argv[1].split(".").reduce((o, k) => o?.[k], JSON.parse(s)); } catch {}
    if (v !== undefined && v !== null) console.log(v); });' "$1"
}

key=$(api -H 'Content-Type: application/json' -d '{"name":"cluster-faults","trusted":true}' \
  "$SURGE_SERVER/api/admin/volunteer-keys" | json_field key)
[ -n "$key" ] || die "no volunteer key from $SURGE_SERVER"
for ((i = 1; i <= volunteers; i++)); do
  "$repo/bin/surge-volunteer" --server "$SURGE_SERVER" --key "$key" --workers 1 --quiet \
    >"$SURGE_CLUSTER_DIR/volunteer-$i.log" 2>&1 &
  volunteer_pids+=($!)
done
connected() {
  local u n=0 v
  for u in $SURGE_INSTANCE_URLS; do
    v=$(curl -s -m 5 "$u/health" | sed -n 's/.*"volunteers":\([0-9]*\).*/\1/p')
    n=$((n + ${v:-0}))
  done
  echo "$n"
}
deadline=$((SECONDS + 60))
until [ "$(connected)" -ge "$volunteers" ]; do
  [ $SECONDS -lt $deadline ] || die "only $(connected) of $volunteers volunteers connected within 60 s"
  sleep 0.5
done
say "$volunteers volunteers connected through nginx ($SURGE_SERVER) to $instances instance(s)"

kernel=$(api -H 'Content-Type: application/wasm' --data-binary "@$wasm" "$SURGE_SERVER/api/kernels" | json_field sha256)
[ -n "$kernel" ] || die "the kernel upload through nginx failed"
t0=$(now_ms)
native_sha=$("$native" "$mc_tasks" "$mc_samples" | sha256sum | cut -d' ' -f1)
say "native: $mc_tasks x $mc_samples samples in $(($(now_ms) - t0)) ms, sha256 ${native_sha:0:16}..."

# --- faults -------------------------------------------------------------------------------------
# Each injects its fault and returns once the faulty part is back, printing what it did. It runs
# beside the job's polling, so the polls that fail during the fault are counted.
fault_nginx-restart() {
  local pid
  pid=$(eval "$("$CLUSTER" env)"; echo "$SURGE_NGINX_PID")
  kill -TERM "$pid"
  while [ -e "/proc/$pid" ]; do sleep 0.05; done
  sleep "$down_s"
  "$CLUSTER" start >>"$SURGE_CLUSTER_DIR/log/fault-start.log" 2>&1
  echo "nginx pid $pid stopped, down ${down_s} s, started again"
}
fault_postgres-restart() {
  local pid
  pid=$(eval "$("$CLUSTER" env)"; echo "$SURGE_POSTGRES_PID")
  kill -INT "$pid" # fast shutdown: open transactions are rolled back, connections cut
  while [ -e "/proc/$pid" ]; do sleep 0.05; done
  sleep "$down_s"
  "$CLUSTER" start >>"$SURGE_CLUSTER_DIR/log/fault-start.log" 2>&1
  echo "postgres pid $pid fast shutdown, down ${down_s} s, started again"
}
needs_claims() {
  case "$1" in
    kill-busiest) echo "SIGKILL of the instance holding most claimed tasks (from the claims table); another instance must reclaim them within the lease" ;;
    kill-merger) echo "SIGKILL of the instance holding the job's merge claim while it merges; another must merge once" ;;
    sigstop-past-lease) echo "SIGSTOP an instance for longer than its instance lease, then SIGCONT; it must write no stale result and merge nothing twice" ;;
    rescue-while-dead) echo "kill the instance whose Quartz node polled Slurm last when a rescue is due; clustered Quartz must fire it on another" ;;
  esac
}

# Job state of $1 through nginx; a failed poll (an error status or none) prints nothing.
job_status() { curl -sf -m 10 "${auth[@]}" "$SURGE_SERVER/api/jobs/$1" || true; }

run_one() { # fault rep
  local fault=$1 rep=$2 id status state done_n t_submit t_fault="" t_end fault_ms=0 polls=0 failed_polls=0
  local health_ms=null fault_pid="" note_file=$SURGE_CLUSTER_DIR/fault-note FAULT_NOTE=""
  id=$(api -H 'Content-Type: application/json' \
    -d "{\"name\":\"fault-$fault-$rep\",\"kernel\":\"$kernel\",\"tasks\":$mc_tasks,\"args\":[\"$mc_samples\"],\"merge\":{\"kind\":\"sum\"}}" \
    "$SURGE_SERVER/api/jobs" | json_field id)
  [ -n "$id" ] || { say "$fault #$rep: the submission failed"; echo "{\"fault\":\"$fault\",\"rep\":$rep,\"state\":\"NOT-SUBMITTED\",\"match\":false}" >>"$rows"; return; }
  t_submit=$(now_ms)
  local deadline=$((SECONDS + timeout_s))
  while :; do
    status=$(job_status "$id")
    polls=$((polls + 1))
    if [ -z "$status" ]; then
      failed_polls=$((failed_polls + 1))
    else
      state=$(json_field state <<<"$status")
      done_n=$(json_field tasks.done <<<"$status")
      case "$state" in SUCCEEDED | FAILED | CANCELLED) break ;; esac
      # The fault once a quarter of the tasks are done (or at the merge, if the job got that far).
      if [ -z "$t_fault" ] && { [ "${done_n:-0}" -ge $((mc_tasks / 4)) ] || [ "$state" = MERGING ]; }; then
        t_fault=$(now_ms)
        say "$fault #$rep: injected at $done_n/$mc_tasks tasks done"
        (
          "fault_$fault" >"$note_file"
          echo $(($(now_ms) - t_fault)) >>"$note_file"
          # Until /health through nginx answers 200 again (an instance reports DOWN for a while
          # after a failed database write), at most 180 s.
          until [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$SURGE_SERVER/health")" = 200 ]; do
            [ $(($(now_ms) - t_fault)) -lt 180000 ] || break
            sleep 0.2
          done
          echo $(($(now_ms) - t_fault)) >>"$note_file"
        ) &
        fault_pid=$!
      fi
    fi
    if [ $SECONDS -ge $deadline ]; then state="TIMEOUT"; break; fi
    sleep 0.2
  done
  t_end=$(now_ms)
  if [ -n "$fault_pid" ]; then
    wait "$fault_pid" || true
    FAULT_NOTE=$(head -n 1 "$note_file")
    fault_ms=$(sed -n 2p "$note_file")
    health_ms=$(sed -n 3p "$note_file")
    say "$fault #$rep: $FAULT_NOTE (${fault_ms} ms); /health through nginx 200 again ${health_ms} ms after the fault"
  fi
  local sha="" match=false
  if [ "$state" = SUCCEEDED ]; then
    sha=$(curl -sf -m 60 "${auth[@]}" "$SURGE_SERVER/api/jobs/$id/result" | sha256sum | cut -d' ' -f1) || sha=""
    [ "$sha" = "$native_sha" ] && match=true
  fi
  local after_fault_s=null
  [ -n "$t_fault" ] && after_fault_s=$(awk -v a="$t_fault" -v b="$t_end" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
  say "$fault #$rep: job $id $state in $(((t_end - t_submit) / 1000)) s, result $([ "$match" = true ] && echo "identical to native" || echo "NOT identical (${sha:0:16})"), $failed_polls of $polls polls failed"
  printf '{"fault":"%s","rep":%d,"job":"%s","state":"%s","match":%s,"jobS":%.1f,"faultInjected":%s,"faultMs":%d,"afterFaultS":%s,"healthAfterMs":%s,"polls":%d,"failedPolls":%d,"note":"%s"}\n' \
    "$fault" "$rep" "$id" "$state" "$match" "$(awk -v a="$t_submit" -v b="$t_end" 'BEGIN { print (b - a) / 1000 }')" \
    "$([ -n "$t_fault" ] && echo true || echo false)" "$fault_ms" "$after_fault_s" "$health_ms" "$polls" "$failed_polls" "$FAULT_NOTE" >>"$rows"
}

IFS=, read -r -a fault_list <<<"$faults"
for fault in "${fault_list[@]}"; do
  if [[ ",$IMPLEMENTED," != *",$fault,"* ]]; then
    say "$fault: not run: needs the claims part (shared task queues across instances): $(needs_claims "$fault")"
    echo "{\"fault\":\"$fault\",\"state\":\"NEEDS-CLAIMS\",\"note\":\"$(needs_claims "$fault")\"}" >>"$rows"
    continue
  fi
  for ((rep = 1; rep <= repeat; rep++)); do run_one "$fault" "$rep"; done
done

# --- report -------------------------------------------------------------------------------------
BENCH_CMD="$cmdline" BENCH_COMMIT="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  node -e '
  const fs = require("fs"), os = require("os"), e = process.env;
  const [rowsFile, out, instances, volunteers, tasks, samples] = process.argv.slice(1);
  const runs = fs.readFileSync(rowsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const byFault = new Map();
  for (const r of runs) {
    if (!byFault.has(r.fault)) byFault.set(r.fault, []);
    byFault.get(r.fault).push(r);
  }
  const summary = [...byFault].map(([fault, rs]) => {
    if (rs[0].state === "NEEDS-CLAIMS") return { fault, runs: 0, identical: 0, note: "needs the claims part" };
    const ok = rs.filter((r) => r.match).length;
    const s = rs.map((r) => r.jobS).sort((a, b) => a - b);
    const after = rs.map((r) => r.afterFaultS).filter((x) => x !== null).sort((a, b) => a - b);
    return { fault, runs: rs.length, identical: ok, medianJobS: s[Math.floor(s.length / 2)],
      medianAfterFaultS: after.length ? after[Math.floor(after.length / 2)] : null,
      healthAfterMs: rs.map((r) => r.healthAfterMs).filter((x) => x !== null),
      failedPolls: rs.reduce((n, r) => n + r.failedPolls, 0) };
  });
  fs.writeFileSync(out, JSON.stringify({ command: e.BENCH_CMD, commit: e.BENCH_COMMIT,
    machine: { cores: os.cpus().length, loadAtStart: os.loadavg() },
    cluster: { instances: +instances, volunteers: +volunteers }, job: { kind: "montecarlo", tasks: +tasks, samples: +samples },
    summary, runs }, null, 2) + "\n");
  console.log("| fault | runs | identical to native | median job s | median s from fault to job end | s from fault to /health 200 | failed job polls |");
  console.log("|---|---|---|---|---|---|---|");
  for (const s of summary) {
    if (s.runs === 0) { console.log(`| ${s.fault} | - | ${s.note} | | | | |`); continue; }
    const h = s.healthAfterMs.map((m) => (m / 1000).toFixed(1)).join(", ") || "-";
    console.log(`| ${s.fault} | ${s.runs} | ${s.identical}/${s.runs} | ${s.medianJobS} | ${s.medianAfterFaultS ?? "-"} | ${h} | ${s.failedPolls} |`);
  }' "$rows" "$out" "$instances" "$volunteers" "$mc_tasks" "$mc_samples"
say "results: ${out#"$repo"/}"
# Every implemented fault's every run must give the native bytes.
! grep -q '"match":false' "$rows"
