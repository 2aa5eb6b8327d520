#!/usr/bin/env bash
# Faults on the local cluster (deploy/cluster/local-cluster.sh: PostgreSQL, Surge instances, nginx)
# while a job runs on headless volunteers connected through nginx: for every fault, R times, submit
# a Monte Carlo job through nginx, inject the fault once a quarter of its tasks are done, wait for
# the job to end and compare its merged result byte for byte (sha256) with the native build's.
#
#   bench/cluster-faults.sh [options]
#     --faults LIST     comma-separated (default and `all`: every fault, in this order)
#                         nginx-restart       nginx stopped (SIGTERM), 2 s down, started again
#                         postgres-restart    PostgreSQL stopped (fast shutdown), 2 s down, started again
#                         sigstop-past-lease  SIGSTOP of the instance holding most claimed tasks (from
#                                             task_claims) for --stop-s, then SIGCONT
#                         kill-busiest        SIGKILL of the instance holding most claimed tasks
#                         kill-merger         SIGKILL of the instance holding the job's merge claim
#                                             (merge_claims), the moment it is seen held (one psql
#                                             kept open, polled without pause near the end)
#                         rescue-while-dead   a Slurm job opted in to rescue pends in batch behind a
#                                             blocker; just before it is due, SIGKILL of the instance
#                                             whose Quartz scheduler ran the rescuer's Slurm poll last
#                                             (qrtz_fired_triggers); the survivor must move it once,
#                                             its one Surge job give the native bytes in the Slurm
#                                             job's output, the Slurm job end COMPLETED. Starts a
#                                             local Slurm cluster (deploy/slurm/local-cluster.sh)
#                                             and the instances with SURGE_RESCUE_PARTITIONS=batch.
#                       After a kill the killed instance is started again (local-cluster.sh start)
#                       and the volunteers spread over the instances anew before the next job.
#     --repeat R        repetitions of each fault (default 3)
#     --instances N     Surge instances behind nginx, SURGE_CLUSTER=on (default 2; the sigstop and
#                       kill faults need 2 or more)
#     --volunteers V    headless volunteers, one worker each, connected through nginx and spread
#                       over the instances (default 2)
#     --stop-s S        how long sigstop-past-lease freezes the instance (default 10; the lease,
#                       SURGE_CLUSTER_LEASE, is 6 s by default)
#     --mc-tasks T      Monte Carlo tasks per job (default 48)
#     --mc-samples S    samples per task (default 100000000: about 0.2 s natively)
#     --down-s D        how long a restarted component stays down (default 2)
#     --timeout-s S     each job's limit (default 300)
#     --rescue-after S  rescue-while-dead: the job's #OFFLOAD --rescue-after (default 10)
#     --kill-before-ms M  rescue-while-dead: the kill this long before the job is due (default 1000)
#     --label TEXT      added to the results file name
#     --keep            leave the cluster running and keep its directory
#
# Prints a markdown table and writes bench/results/<UTC timestamp>-cluster-faults[-label].json.
# Exits 1 when any run failed: a job not SUCCEEDED or not identical to native, a merge stored twice
# (two "<job> succeeded" lines in the instances' logs), a task DONE under a dead or frozen epoch, or
# for rescue-while-dead a Slurm job moved other than once, with other than one Surge job, or not
# COMPLETED on the volunteer partition with the native bytes. A kill-merger run that never saw the
# merge claim held is reported (mergeHeldAtKill false), not failed.
# The cluster lives in ${SURGE_CLUSTER_DIR:-<repo>/.surge/cluster-faults}, made afresh.
set -euo pipefail

bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
CLUSTER=$repo/deploy/cluster/local-cluster.sh
export SURGE_CLUSTER_DIR=${SURGE_CLUSTER_DIR:-$repo/.surge/cluster-faults}
# The bench's instances run any kernel a user uploads (no approval step).
export SURGE_KERNEL_POLICY=${SURGE_KERNEL_POLICY:-any-user}

ALL=nginx-restart,postgres-restart,sigstop-past-lease,kill-busiest,kill-merger,rescue-while-dead
faults=$ALL repeat=3 instances=2 volunteers=2 mc_tasks=48 mc_samples=100000000 down_s=2
timeout_s=300 label="" keep=0 stop_s=10 rescue_after=10 kill_before_ms=1000

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
    --stop-s) need_int "$1" "${2-}"; stop_s=$2; shift 2 ;;
    --timeout-s) need_int "$1" "${2-}"; timeout_s=$2; shift 2 ;;
    --rescue-after) need_int "$1" "${2-}"; rescue_after=$2; shift 2 ;;
    --kill-before-ms) need_int "$1" "${2-}"; kill_before_ms=$2; shift 2 ;;
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

SLURM=$repo/deploy/slurm/local-cluster.sh
export SURGE_SLURM_DIR=$SURGE_CLUSTER_DIR/slurm
with_slurm=0
[[ ",$faults," == *",rescue-while-dead,"* ]] && with_slurm=1
fault_pid=""

# Every process this bench started, by pid: the volunteers, a fault still running in the
# background, the cluster (local-cluster.sh stops its parts by their pid files; an instance left
# frozen by a failed run is resumed first) and the Slurm cluster.
cleanup() {
  local rc=$? p
  [ -n "$fault_pid" ] && { kill -TERM "$fault_pid" 2>/dev/null || true; wait "$fault_pid" 2>/dev/null || true; }
  for p in "${volunteer_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${volunteer_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$keep" = 1 ]; then
    say "cluster left running: $CLUSTER status (SURGE_CLUSTER_DIR=$SURGE_CLUSTER_DIR)"
    [ "$with_slurm" = 1 ] && say "Slurm left running: $SLURM status (SURGE_SLURM_DIR=$SURGE_SLURM_DIR)"
  else
    for p in $( (eval "$("$CLUSTER" env 2>/dev/null)" && echo "${SURGE_INSTANCE_PIDS:-}") 2>/dev/null); do
      [ "$p" != - ] && kill -CONT "$p" 2>/dev/null || true
    done
    "$CLUSTER" stop >&2 || rc=1
    [ "$with_slurm" = 1 ] && { "$SLURM" stop >&2 || rc=1; }
  fi
  rm -f "$rows"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the cluster, its credentials, the volunteers ---------------------------------------------
"$CLUSTER" stop >/dev/null 2>&1 || true
[ -d "$SURGE_SLURM_DIR" ] && { "$SLURM" stop >/dev/null 2>&1 || true; }
rm -rf "$SURGE_CLUSTER_DIR"
if [ "$with_slurm" = 1 ]; then
  # munged wants every folder above its socket searchable.
  mkdir -p "$SURGE_CLUSTER_DIR" && chmod 755 "$SURGE_CLUSTER_DIR"
  "$SLURM" start --fresh >&2
  eval "$("$SLURM" env)"
  # Every instance watches batch and moves opted-in jobs to volunteer (docs/slurm.md); their
  # timers are Quartz's, clustered on the same PostgreSQL.
  export SURGE_RESCUE_PARTITIONS=batch SURGE_RESCUE_POLL=1s SURGE_SLURM_CONF=$SLURM_CONF
fi
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
# Volunteers counted by each instance, space-separated, in instance order.
counts() {
  local u v out=()
  for u in $SURGE_INSTANCE_URLS; do
    v=$(curl -s -m 5 "$u/health" | sed -n 's/.*"volunteers":\([0-9]*\).*/\1/p')
    out+=("${v:-0}")
  done
  echo "${out[*]}"
}
connected() { local n=0 c; for c in $(counts); do n=$((n + c)); done; echo "$n"; }
start_volunteer() { # index (0-based)
  "$repo/bin/surge-volunteer" --server "$SURGE_SERVER" --key "$key" --workers 1 --quiet \
    >>"$SURGE_CLUSTER_DIR/volunteer-$1.log" 2>&1 &
  volunteer_pids[$1]=$!
}
stop_volunteer() { kill -TERM "${volunteer_pids[$1]}" 2>/dev/null || true; wait "${volunteer_pids[$1]}" 2>/dev/null || true; }
# (Re)connects every volunteer through nginx, one at a time, so that volunteer i lands on instance
# i mod N: nginx's round robin picks the instance; one that landed elsewhere is started again.
spread_volunteers() {
  local i before after j landed tries deadline
  for i in "${!volunteer_pids[@]}"; do stop_volunteer "$i"; done
  deadline=$((SECONDS + 60))
  until [ "$(connected)" = 0 ]; do
    [ $SECONDS -lt $deadline ] || die "volunteers still counted 60 s after they were stopped: $(counts)"
    sleep 0.3
  done
  for ((i = 0; i < volunteers; i++)); do
    for ((tries = 1; ; tries++)); do
      read -r -a before <<<"$(counts)"
      start_volunteer "$i"
      deadline=$((SECONDS + 60))
      until [ "$(connected)" -gt "$i" ]; do
        [ $SECONDS -lt $deadline ] || die "volunteer $i not counted by any instance within 60 s (counts: $(counts))"
        sleep 0.2
      done
      read -r -a after <<<"$(counts)"
      landed=-1
      for j in "${!after[@]}"; do [ "${after[$j]}" -gt "${before[$j]:-0}" ] && landed=$j; done
      if [ "$landed" = $((i % instances)) ] || [ "$tries" -ge 8 ]; then break; fi
      stop_volunteer "$i"
      deadline=$((SECONDS + 30))
      until [ "$(connected)" -le "$i" ]; do [ $SECONDS -lt $deadline ] || break; sleep 0.2; done
    done
  done
  say "$volunteers volunteers connected through nginx ($SURGE_SERVER), per instance: $(counts)"
}
spread_volunteers

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
  # Where the volunteers came back (nginx's round robin; they reconnect on their backoff).
  local deadline=$((SECONDS + 30))
  while [ "$(connected)" -lt "$volunteers" ] && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
  echo "nginx pid $pid stopped, down ${down_s} s, started again; volunteers per instance after: $(counts)"
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
# --- faults on the instances, seen through the cluster's tables (surge.cluster) -----------------
pg_port=${SURGE_CLUSTER_DB##*:}
pg_port=${pg_port%%/*}
pg_q() { psql -X -h "$SURGE_CLUSTER_PG_SOCKET" -p "$pg_port" -U surge -d surge -Atq -F '|' -c "$1"; }
# One psql kept open (a bash coprocess) for polls faster than a new psql per query (about 1 ms
# against 20-50 ms): pg_open, then pg_co QUERY sets PG_ROWS to its rows (newline-separated) and
# fails when psql does not answer within 10 s; pg_close. One at a time per shell.
pg_open() {
  coproc PGCO { exec psql -X -h "$SURGE_CLUSTER_PG_SOCKET" -p "$pg_port" -U surge -d surge -Atq -F '|' 2>&1; }
}
pg_co() {
  local line
  PG_ROWS=""
  printf '%s;\nselect %s;\n' "$1" "'<end>'" >&"${PGCO[1]}" || return 1
  while IFS= read -r -t 10 line <&"${PGCO[0]}"; do
    [ "$line" = "<end>" ] && { PG_ROWS=${PG_ROWS%$'\n'}; return 0; }
    PG_ROWS+="$line"$'\n'
  done
  return 1
}
pg_close() {
  local p=${PGCO_PID:-} fd=${PGCO[1]:-}
  [ -n "$fd" ] && eval "exec $fd>&-"
  [ -n "$p" ] && { wait "$p" 2>/dev/null || true; }
}
now_s() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }
# The instance (owner|epoch|count) holding most claimed tasks of job $id.
busiest() {
  pg_q "select owner, owner_epoch, count(*) from task_claims where job_id = $jid and state = 'CLAIMED'
    group by owner, owner_epoch order by count(*) desc, owner limit 1"
}
# After instance epoch $1 stopped answering at $2 (ms): waits until none of its claims is left
# (reclaimed: reset to pending by another instance) and until every task it held is DONE under
# another epoch (or the job ended), and writes to $SURGE_CLUSTER_DIR/fault-extra the seconds of
# each, how many of its tasks ran again and how many were DONE under the stale epoch. $3: the
# frozen process to SIGCONT after $4 s, if any.
follow_claims() {
  local epoch=$1 t0=$2 stopped=${3:-} stop_for=${4:-0} held rows reclaim_s=null rerun_s=null left
  local -A done_by=()
  held=$(pg_q "select task_index from task_claims where job_id = $jid and owner_epoch = $epoch and state = 'CLAIMED'" | tr '\n' ',' | sed 's/,$//')
  local n_held=0
  [ -n "$held" ] && n_held=$(tr ',' '\n' <<<"$held" | wc -l)
  while :; do
    if [ -n "$stopped" ] && [ $(($(now_ms) - t0)) -ge $((stop_for * 1000)) ]; then
      kill -CONT "$stopped"
      stopped=""
    fi
    if [ -n "$held" ]; then
      rows=$(pg_q "select task_index, owner_epoch from task_claims where job_id = $jid and task_index in ($held) and state = 'DONE'") || rows=""
      while IFS='|' read -r t e; do [ -n "$t" ] && done_by[$t]=$e; done <<<"$rows"
    fi
    left=$(pg_q "select count(*) from task_claims where job_id = $jid and owner_epoch = $epoch and state = 'CLAIMED'") || left=""
    [ "$reclaim_s" = null ] && [ "$left" = 0 ] && reclaim_s=$(now_s "$t0")
    if [ "$rerun_s" = null ] && { [ "${#done_by[@]}" -ge "$n_held" ] ||
      [ "$(pg_q "select count(*) from task_claims where job_id = $jid")" = 0 ]; }; then
      rerun_s=$(now_s "$t0")
    fi
    [ "$reclaim_s" != null ] && [ "$rerun_s" != null ] && [ -z "$stopped" ] && break
    [ $(($(now_ms) - t0)) -lt $((timeout_s * 1000)) ] || break
    sleep 0.2
  done
  [ -n "$stopped" ] && kill -CONT "$stopped"
  local stale=0 e
  for e in "${done_by[@]}"; do [ "$e" = "$epoch" ] && stale=$((stale + 1)); done
  printf ',"heldTasks":%d,"reclaimS":%s,"rerunS":%s,"seenDone":%d,"doneByStaleEpoch":%d' \
    "$n_held" "$reclaim_s" "$rerun_s" "${#done_by[@]}" "$stale" >"$SURGE_CLUSTER_DIR/fault-extra"
  echo "$n_held tasks held; all reclaimed after ${reclaim_s} s, all DONE again after ${rerun_s} s (${#done_by[@]} seen DONE, $stale under the stale epoch)"
}
# The pids of instance-1..N, read before the busiest is chosen: looking one up afterwards (through
# local-cluster.sh env, up to a second on a loaded machine) let the busiest finish its tasks first.
instance_pids() { (eval "$("$CLUSTER" env)"; echo "$SURGE_INSTANCE_PIDS"); }
fault_kill-busiest() {
  local owner epoch n pid t0 pids
  read -r -a pids <<<"$(instance_pids)"
  IFS='|' read -r owner epoch n <<<"$(busiest)"
  [ -n "$owner" ] || { echo "no instance held a claimed task: nothing killed"; return; }
  pid=${pids[$((${owner#instance-} - 1))]}
  t0=$(now_ms)
  kill -KILL "$pid"
  echo "SIGKILL $owner pid $pid (epoch $epoch, $n claimed tasks); $(follow_claims "$epoch" "$t0")"
}
fault_sigstop-past-lease() {
  local owner epoch n pid t0 pids
  read -r -a pids <<<"$(instance_pids)"
  IFS='|' read -r owner epoch n <<<"$(busiest)"
  [ -n "$owner" ] || { echo "no instance held a claimed task: nothing stopped"; return; }
  pid=${pids[$((${owner#instance-} - 1))]}
  t0=$(now_ms)
  kill -STOP "$pid"
  echo "$owner $pid $epoch" >"$SURGE_CLUSTER_DIR/fault-stopped"
  echo "SIGSTOP $owner pid $pid (epoch $epoch, $n claimed tasks) for ${stop_s} s, then SIGCONT; $(follow_claims "$epoch" "$t0" "$pid" "$stop_s")"
}
fault_kill-merger() {
  local row owner="" epoch="" pid t0 deadline=$((SECONDS + timeout_s)) polls=0 pids open=""
  # The pids now: asking local-cluster.sh once the owner is seen would take longer than a merge.
  pids=$(eval "$("$CLUSTER" env)"; echo "$SURGE_INSTANCE_PIDS")
  read -r -a pids <<<"$pids"
  # The merge claim is held from the poll that takes it until the merged result is stored: a merge
  # of 48 sums takes tens of ms, so one psql stays open and, once at most two tasks are left, is
  # asked again as soon as it answers (about 1 ms a round).
  pg_open
  while :; do
    pg_co "select coalesce((select owner || '|' || owner_epoch from merge_claims where job_id = $jid and owner is not null), '-|-')
      || '|' || (select count(*) from merge_claims where job_id = $jid)
      || '|' || (select count(*) from task_claims where job_id = $jid and state <> 'DONE')" || PG_ROWS=""
    polls=$((polls + 1))
    IFS='|' read -r owner epoch row open <<<"$PG_ROWS"
    [ -n "$owner" ] && [ "$owner" != - ] && [ -n "$epoch" ] && break
    if [ "${row:-1}" = 0 ]; then
      pg_close
      printf ',"mergeSeen":false,"mergeHeldAtKill":false,"mergePolls":%d' "$polls" >"$SURGE_CLUSTER_DIR/fault-extra"
      echo "the merge claim was never seen held in $polls polls of merge_claims (the merge took less than one poll): nothing killed"
      return
    fi
    [ $SECONDS -lt $deadline ] || { pg_close; echo "no merge claim within ${timeout_s} s"; return; }
    # Until the last two tasks are running, slowly.
    [ -n "$open" ] && [ "$open" -gt 2 ] && sleep 0.2
  done
  pid=${pids[$((${owner#instance-} - 1))]}
  # Frozen first, so that what it holds at the kill is known: the merge claim still held (the merge
  # had not been stored), or gone (it finished its merge between the poll and the freeze).
  t0=$(now_ms)
  kill -STOP "$pid"
  local held_at_kill=""
  pg_co "select count(*) from merge_claims where job_id = $jid and owner_epoch = $epoch" && held_at_kill=$PG_ROWS
  pg_close
  kill -KILL "$pid"
  local retaken_s=null stored_s=null again
  # retaken: the claim no longer names the dead epoch (reset by a reclaim, taken by another, or
  # stored); stored: the row is gone, the merged result committed.
  while [ $(($(now_ms) - t0)) -lt $((timeout_s * 1000)) ]; do
    again=$(pg_q "select coalesce((select coalesce(owner_epoch::text, 'none') from merge_claims where job_id = $jid), 'gone')") || again=""
    if [ "$retaken_s" = null ] && [ -n "$again" ] && [ "$again" != "$epoch" ]; then retaken_s=$(now_s "$t0"); fi
    if [ "$again" = gone ]; then stored_s=$(now_s "$t0"); break; fi
    sleep 0.2
  done
  local held=false
  [ "$held_at_kill" = 1 ] && held=true
  printf ',"mergeSeen":true,"mergePolls":%d,"mergeHeldAtKill":%s,"reclaimS":%s,"rerunS":%s' "$polls" "$held" "$retaken_s" "$stored_s" >"$SURGE_CLUSTER_DIR/fault-extra"
  if [ "$held" = true ]; then
    echo "SIGSTOP then SIGKILL $owner pid $pid holding the merge claim, its merge not stored (epoch $epoch, seen after $polls polls); the claim left the dead epoch after ${retaken_s} s, the merge was stored by another instance after ${stored_s} s"
  else
    echo "SIGSTOP then SIGKILL $owner pid $pid seen holding the merge claim (epoch $epoch, after $polls polls), but its merge was stored before the freeze: the kill came after the merge"
  fi
}

# Job state of $1 through nginx; a failed poll (an error status or none) prints nothing.
job_status() { curl -sf -m 10 "${auth[@]}" "$SURGE_SERVER/api/jobs/$1" || true; }

run_one() { # fault rep
  fault_pid=""
  local fault=$1 rep=$2 id status state done_n t_submit t_fault="" t_end fault_ms=0 polls=0 failed_polls=0
  local health_ms=null note_file=$SURGE_CLUSTER_DIR/fault-note FAULT_NOTE="" extra=""
  rm -f "$SURGE_CLUSTER_DIR/fault-extra" "$SURGE_CLUSTER_DIR/fault-stopped"
  id=$(api -H 'Content-Type: application/json' \
    -d "{\"name\":\"fault-$fault-$rep\",\"kernel\":\"$kernel\",\"tasks\":$mc_tasks,\"args\":[\"$mc_samples\"],\"merge\":{\"kind\":\"sum\"}}" \
    "$SURGE_SERVER/api/jobs" | json_field id)
  [ -n "$id" ] || { say "$fault #$rep: the submission failed"; echo "{\"fault\":\"$fault\",\"rep\":$rep,\"state\":\"NOT-SUBMITTED\",\"match\":false}" >>"$rows"; return; }
  t_submit=$(now_ms)
  # The job's number in the database (task_claims.job_id): j-000042-<secret> is 42.
  local jid
  jid=$(sed -n 's/^j-0*\([0-9][0-9]*\).*/\1/p' <<<"$id")
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
    if [ $SECONDS -ge $deadline ]; then
      state="TIMEOUT"
      # What holds the job up: volunteers per instance, and its claims by owner and state.
      say "$fault #$rep: job $id not ended after ${timeout_s} s ($(json_field tasks <<<"$status" | tr '\n' ' ')); volunteers per instance: $(counts); claims (owner|epoch|state|count): $(pg_q "select coalesce(owner, '-'), coalesce(owner_epoch::text, '-'), state, count(*) from task_claims where job_id = $jid group by 1, 2, 3 order by 1, 3" | tr '\n' ' '); leases: $(pg_q "select * from cluster_instances" | tr '\n' ' ')"
      break
    fi
    sleep 0.2
  done
  t_end=$(now_ms)
  if [ -n "$fault_pid" ]; then
    wait "$fault_pid" || true
    FAULT_NOTE=$(head -n 1 "$note_file")
    fault_ms=$(sed -n 2p "$note_file")
    health_ms=$(sed -n 3p "$note_file")
    say "$fault #$rep: $FAULT_NOTE (${fault_ms} ms); /health through nginx 200 again ${health_ms} ms after the fault"
    [ -s "$SURGE_CLUSTER_DIR/fault-extra" ] && extra=$(cat "$SURGE_CLUSTER_DIR/fault-extra")
  fi
  # A frozen instance, once resumed, must have dropped (not written) the results of tasks another
  # instance reclaimed, and taken a new epoch: its log says so.
  if [ -s "$SURGE_CLUSTER_DIR/fault-stopped" ]; then
    local s_owner s_pid s_epoch dropped lapsed
    read -r s_owner s_pid s_epoch <"$SURGE_CLUSTER_DIR/fault-stopped"
    dropped=$(grep -c "dropped the result of task [0-9]* of job #$jid:" "$SURGE_CLUSTER_DIR/instances/${s_owner#instance-}/server.log" || true)
    lapsed=$(grep -c "lease epoch $s_epoch had lapsed" "$SURGE_CLUSTER_DIR/instances/${s_owner#instance-}/server.log" || true)
    extra+=$(printf ',"staleResultsDropped":%d,"staleEpochLapsedLogged":%s' "$dropped" "$([ "$lapsed" -gt 0 ] && echo true || echo false)")
    say "$fault #$rep: the resumed $s_owner dropped $dropped stale result(s) of job $id; its epoch $s_epoch lapsed: $([ "$lapsed" -gt 0 ] && echo logged || echo NOT logged)"
  fi
  local outputs
  outputs=$(pg_q "select count(*) from task_outputs where job_id = $jid" 2>/dev/null) || outputs=""
  [ -n "$outputs" ] && extra+=",\"taskOutputs\":$outputs"
  local sha="" match=false
  if [ "$state" = SUCCEEDED ]; then
    sha=$(curl -sf -m 60 "${auth[@]}" "$SURGE_SERVER/api/jobs/$id/result" | sha256sum | cut -d' ' -f1) || sha=""
    [ "$sha" = "$native_sha" ] && match=true
  fi
  # Merged once: one "<job> succeeded" line in all the instances' logs together (the fence makes a
  # second merge log "not storing its merge" instead).
  local merges fenced problems=""
  merges=$(cat "$SURGE_CLUSTER_DIR"/instances/*/server.log | grep -c -- "$id succeeded: " || true)
  fenced=$(cat "$SURGE_CLUSTER_DIR"/instances/*/server.log | grep -c -- "job #$jid: not storing its merge" || true)
  extra+=",\"mergesStored\":$merges,\"mergesFenced\":$fenced"
  [ "$state" = SUCCEEDED ] || problems+=" the job ended $state;"
  [ "$state" != SUCCEEDED ] || [ "$match" = true ] || problems+=" its result is not the native bytes;"
  [ "$merges" = 1 ] || problems+=" $merges merges stored;"
  [[ "$extra" != *'"doneByStaleEpoch":'[1-9]* ]] || problems+=" tasks DONE under the dead or frozen epoch;"
  [ -z "$problems" ] || say "$fault #$rep: FAILED:$problems"
  extra+=",\"ok\":$([ -z "$problems" ] && echo true || echo false)"
  local after_fault_s=null
  [ -n "$t_fault" ] && after_fault_s=$(awk -v a="$t_fault" -v b="$t_end" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
  say "$fault #$rep: job $id $state in $(((t_end - t_submit) / 1000)) s, result $([ "$match" = true ] && echo "identical to native" || echo "NOT identical (${sha:0:16})"), $failed_polls of $polls polls failed"
  printf '{"fault":"%s","rep":%d,"job":"%s","state":"%s","match":%s,"jobS":%.1f,"faultInjected":%s,"faultMs":%d,"afterFaultS":%s,"healthAfterMs":%s,"polls":%d,"failedPolls":%d,"note":"%s"%s}\n' \
    "$fault" "$rep" "$id" "$state" "$match" "$(awk -v a="$t_submit" -v b="$t_end" 'BEGIN { print (b - a) / 1000 }')" \
    "$([ -n "$t_fault" ] && echo true || echo false)" "$fault_ms" "$after_fault_s" "$health_ms" "$polls" "$failed_polls" "$FAULT_NOTE" "$extra" >>"$rows"
  # A killed instance comes back, and the volunteers spread over all instances again (not after
  # the last run).
  if [[ "$fault" == kill-* || "$fault" == sigstop-* ]] && [ "$instances" -ge 2 ] && [ "$last_run" = 0 ]; then
    [[ "$fault" == kill-* ]] && "$CLUSTER" start >>"$SURGE_CLUSTER_DIR/log/fault-start.log" 2>&1
    spread_volunteers
  fi
}

# --- rescue-while-dead: the rescuer's Quartz timers (surge.rescue) on a real Slurm --------------
rescue_dir=$SURGE_CLUSTER_DIR/rescue
blocker=""
slurm_field() { scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# Fills the batch partition with one job for the whole bench, so that the test jobs pend there.
ensure_blocker() {
  [ -n "$blocker" ] && return 0
  local cpus deadline=$((SECONDS + 60))
  cpus=$(sinfo -h -p batch -o %c)
  blocker=$(sbatch --parsable -p batch -c "$cpus" -J blocker -o /dev/null --wrap 'sleep 3600')
  blocker=${blocker%%;*}
  until [ "$(squeue -h -j "$blocker" -o %T)" = RUNNING ]; do
    [ $SECONDS -lt $deadline ] || die "the blocker job $blocker did not start on batch within 60 s"
    sleep 0.2
  done
}
# instance-K of a Quartz instance id (AUTO: host name and start time in ms): the instance whose
# last "rescue: watching" log line (written 1-3 s after its scheduler was made) follows it closest.
quartz_instance() {
  local ms k w d best="" best_d=""
  ms=$(grep -o '[0-9]\{13\}$' <<<"$1") || return 0
  for ((k = 1; k <= instances; k++)); do
    w=$(grep -a "rescue: watching the pending jobs" "$SURGE_CLUSTER_DIR/instances/$k/server.log" | tail -n 1 |
      sed -n 's/.*\[timeMillis: \([0-9]*\)\].*/\1/p')
    [ -n "$w" ] || continue
    d=$((w - ms))
    { [ "$d" -ge -1000 ] && [ "$d" -le 60000 ]; } || continue
    if [ -z "$best_d" ] || [ "$d" -lt "$best_d" ]; then best=$k best_d=$d; fi
  done
  [ -n "$best" ] && echo "instance-$best"
}
# One run: a Monte Carlo job opted in to rescue (--rescue-after) pends in batch behind the blocker;
# until --kill-before-ms before it is due, qrtz_fired_triggers is read every 50 ms for the instance
# that ran the rescuer's Slurm poll (trigger `poll`, state EXECUTING; else the one holding it
# ACQUIRED) and the one holding the job's due timer (`due-<id>`); then SIGKILL of that poller.
run_rescue() { # rep
  local k rep=$1 fault=rescue-while-dead id script eligible due_ms kill_at t_submit t_kill t_end state
  ensure_blocker
  mkdir -p "$rescue_dir"
  script=$rescue_dir/job-$rep.sh
  cat >"$script" <<JOB
#!/bin/bash
#SBATCH -J rescue-while-dead-$rep -o $rescue_dir/%j.out -e $rescue_dir/%j.err
#OFFLOAD --kernel=$wasm --tasks=$mc_tasks --arg=$mc_samples --merge=sum
#OFFLOAD --rescue-after=${rescue_after}s
[ "\$SLURM_JOB_PARTITION" = volunteer ] && exec surge offload "\$0"
$native $mc_tasks $mc_samples
JOB
  # The launcher (surge offload, on the volunteer partition) reaches Surge through nginx with the
  # operator token; Slurm hands it the submitter's environment.
  id=$(cd "$rescue_dir" && SURGE_TOKEN=$token PATH="$repo/bin:$PATH" sbatch --parsable -p batch "$script")
  id=${id%%;*}
  t_submit=$(now_ms)
  eligible=$(slurm_field "$id" EligibleTime)
  [[ "$eligible" =~ ^[0-9]{4}- ]] || die "Slurm job $id has no EligibleTime ($eligible)"
  # Slurm keeps whole seconds, in local time.
  due_ms=$(( $(date -d "$eligible" +%s) * 1000 + rescue_after * 1000 ))
  kill_at=$((due_ms - kill_before_ms))
  say "$fault #$rep: Slurm job $id pends in batch, eligible $eligible, due in $(( (due_ms - $(now_ms)) / 1000 )) s"
  local pids qi qt qs poller="" poll_acq="" due_holder="" cur_due samples=0
  pids=$(eval "$("$CLUSTER" env)"; echo "$SURGE_INSTANCE_PIDS")
  read -r -a pids <<<"$pids"
  pg_open
  while [ "$(now_ms)" -lt "$kill_at" ]; do
    pg_co "select instance_name || '|' || trigger_name || '|' || state from qrtz_fired_triggers where trigger_name in ('poll', 'due-$id')" || PG_ROWS=""
    cur_due=""
    while IFS='|' read -r qi qt qs; do
      case "$qt|$qs" in
        poll\|EXECUTING) poller=$qi ;;
        poll\|*) poll_acq=$qi ;;
        due-*) cur_due=$qi ;;
      esac
    done <<<"$PG_ROWS"
    due_holder=$cur_due
    samples=$((samples + 1))
    sleep 0.05
  done
  local how="ran the poll last"
  [ -n "$poller" ] || { poller=$poll_acq; how="held the next poll"; }
  local victim due_by="none" pid moved_before
  victim=$(quartz_instance "$poller")
  [ -n "$due_holder" ] && due_by=$(quartz_instance "$due_holder")
  [ -n "$victim" ] || { pg_close; die "$fault #$rep: no instance found for the Quartz poller '$poller' ($samples samples of qrtz_fired_triggers)"; }
  pid=${pids[$((${victim#instance-} - 1))]}
  moved_before=$(cat "$SURGE_CLUSTER_DIR"/instances/*/server.log | grep -c "rescue: moved job $id of " || true)
  t_kill=$(now_ms)
  kill -KILL "$pid"
  # What the dead instance held stays in qrtz_fired_triggers until a survivor recovers it: whether
  # it had acquired the due timer (in the last moments before the kill) shows there.
  if pg_co "select instance_name from qrtz_fired_triggers where trigger_name = 'due-$id'" && [ -n "$PG_ROWS" ]; then
    due_holder=${PG_ROWS%%$'\n'*}
    due_by=$(quartz_instance "$due_holder")
  fi
  say "$fault #$rep: SIGKILL $victim pid $pid ($how: Quartz $poller), $(( (due_ms - t_kill) )) ms before the job is due; the due timer was held by ${due_by:-?} ($due_holder); moved before the kill: $moved_before"
  # Until the Slurm job ends: when the survivor's scheduler took the poll over.
  local poll_back_s=null deadline=$((SECONDS + timeout_s))
  while :; do
    state=$(slurm_field "$id" JobState)
    case "$state" in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE) break ;; esac
    if [ "$poll_back_s" = null ] && pg_co "select count(*) from qrtz_fired_triggers where trigger_name = 'poll' and state = 'EXECUTING' and instance_name <> '$poller'" && [ "${PG_ROWS:-0}" -gt 0 ]; then
      poll_back_s=$(now_s "$t_kill")
    fi
    [ $SECONDS -lt $deadline ] || { state="TIMEOUT-BENCH"; break; }
    sleep 0.2
  done
  pg_close
  t_end=$(now_ms)
  local line moves moved_by="" moved_ms=null surge_jobs surge_id partition exit_code restarts sha match=false problems=""
  moves=$(cat "$SURGE_CLUSTER_DIR"/instances/*/server.log | grep -c "rescue: moved job $id of " || true)
  for ((k = 1; k <= instances; k++)); do
    line=$(grep -a "rescue: moved job $id of " "$SURGE_CLUSTER_DIR/instances/$k/server.log" | tail -n 1) || true
    if [ -n "$line" ]; then
      moved_by=instance-$k
      moved_ms=$(sed -n 's/.* to volunteer \([0-9]*\) ms after it became due.*/\1/p' <<<"$line")
      moved_ms=${moved_ms:-null}
    fi
  done
  surge_jobs=$(pg_q "select count(*) from jobs where slurm_job_id = '$id'") || surge_jobs=""
  surge_id=$(pg_q "select 'j-' || lpad(id::text, 6, '0') || '-' || id_secret || ' ' || state from jobs where slurm_job_id = '$id' order by id limit 1") || surge_id=""
  partition=$(slurm_field "$id" Partition)
  exit_code=$(slurm_field "$id" ExitCode)
  restarts=$(slurm_field "$id" Restarts)
  sha=$(sha256sum <"$rescue_dir/$id.out" 2>/dev/null | cut -d' ' -f1) || sha=""
  [ "$sha" = "$native_sha" ] && match=true
  [ "$state" = COMPLETED ] || problems+=" the Slurm job ended $state;"
  [ "$partition" = volunteer ] || problems+=" it ended in partition $partition;"
  [ "$exit_code" = 0:0 ] || problems+=" its ExitCode is $exit_code;"
  [ "$restarts" = 0 ] || problems+=" it was requeued $restarts times;"
  [ "$match" = true ] || problems+=" its output is not the native bytes (${sha:0:16});"
  [ "$moves" = 1 ] || problems+=" it was moved $moves times;"
  [ "$surge_jobs" = 1 ] || problems+=" it made $surge_jobs Surge jobs;"
  [ "$moved_by" != "$victim" ] || problems+=" the killed $victim moved it (before the kill: the fault missed the rescue);"
  say "$fault #$rep: Slurm job $id $state in $(( (t_end - t_submit) / 1000 )) s on $partition (ExitCode $exit_code, Restarts $restarts); moved $moves time(s), by $moved_by ${moved_ms} ms after it became due; $surge_jobs Surge job(s) (${surge_id:-none}); output $([ "$match" = true ] && echo "identical to native" || echo "NOT identical"); poll taken over after ${poll_back_s} s"
  [ -z "$problems" ] || say "$fault #$rep: FAILED:$problems"
  local note="SIGKILL $victim ($how) $(( due_ms - t_kill )) ms before the rescue was due; due timer held by ${due_by:-?} at the kill; moved by $moved_by ${moved_ms} ms after due; poll taken over by the survivor after ${poll_back_s} s"
  printf '{"fault":"%s","rep":%d,"job":"slurm %s, surge %s","state":"%s","match":%s,"jobS":%.1f,"faultInjected":true,"faultMs":0,"afterFaultS":%s,"healthAfterMs":null,"polls":0,"failedPolls":0,"note":"%s","killed":"%s","killedMsBeforeDue":%d,"dueTimerHeldBy":"%s","movedBy":"%s","movedMsAfterDue":%s,"moves":%d,"surgeJobs":%s,"partition":"%s","exitCode":"%s","restarts":%s,"pollTakenOverS":%s,"qrtzSamples":%d,"ok":%s}\n' \
    "$fault" "$rep" "$id" "${surge_id%% *}" "$state" "$match" "$(awk -v a="$t_submit" -v b="$t_end" 'BEGIN { print (b - a) / 1000 }')" \
    "$(awk -v a="$t_kill" -v b="$t_end" 'BEGIN { printf "%.1f", (b - a) / 1000 }')" "$note" "$victim" "$((due_ms - t_kill))" "${due_by:-none}" "$moved_by" \
    "$moved_ms" "$moves" "${surge_jobs:-null}" "$partition" "$exit_code" "${restarts:-null}" "$poll_back_s" "$samples" \
    "$([ -z "$problems" ] && echo true || echo false)" >>"$rows"
  if [ "$last_run" = 0 ]; then
    "$CLUSTER" start >>"$SURGE_CLUSTER_DIR/log/fault-start.log" 2>&1
    spread_volunteers
  fi
}

IFS=, read -r -a fault_list <<<"$faults"
for fault in "${fault_list[@]}"; do
  if [[ "$fault" == kill-* || "$fault" == sigstop-* || "$fault" == rescue-* ]] && [ "$instances" -lt 2 ]; then
    die "$fault needs --instances 2 or more"
  fi
done
last_run=0
for fi_ in "${!fault_list[@]}"; do
  fault=${fault_list[$fi_]}
  for ((rep = 1; rep <= repeat; rep++)); do
    [ "$fi_" = $((${#fault_list[@]} - 1)) ] && [ "$rep" = "$repeat" ] && last_run=1
    if [ "$fault" = rescue-while-dead ]; then run_rescue "$rep"; else run_one "$fault" "$rep"; fi
  done
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
    const ok = rs.filter((r) => r.match).length;
    const s = rs.map((r) => r.jobS).sort((a, b) => a - b);
    const after = rs.map((r) => r.afterFaultS).filter((x) => x !== null).sort((a, b) => a - b);
    return { fault, runs: rs.length, identical: ok, medianJobS: s[Math.floor(s.length / 2)],
      medianAfterFaultS: after.length ? after[Math.floor(after.length / 2)] : null,
      healthAfterMs: rs.map((r) => r.healthAfterMs).filter((x) => x !== null),
      failedPolls: rs.reduce((n, r) => n + r.failedPolls, 0),
      reclaimS: rs.map((r) => r.reclaimS).filter((x) => x !== undefined && x !== null),
      rerunS: rs.map((r) => r.rerunS).filter((x) => x !== undefined && x !== null),
      doneByStaleEpoch: rs.reduce((n, r) => n + (r.doneByStaleEpoch ?? 0), 0),
      staleResultsDropped: rs.map((r) => r.staleResultsDropped).filter((x) => x !== undefined),
      mergeHeldAtKill: rs.filter((r) => r.mergeHeldAtKill === true).length,
      mergesStored: rs.map((r) => r.mergesStored ?? r.moves),
      passed: rs.filter((r) => r.ok).length,
      ...(fault === "rescue-while-dead" ? {
        movedMsAfterDue: rs.map((r) => r.movedMsAfterDue), pollTakenOverS: rs.map((r) => r.pollTakenOverS),
        dueTimerHeldByKilled: rs.filter((r) => r.dueTimerHeldBy === r.killed).length } : {}) };
  });
  fs.writeFileSync(out, JSON.stringify({ command: e.BENCH_CMD, commit: e.BENCH_COMMIT,
    machine: { cores: os.cpus().length, loadAtStart: os.loadavg() },
    cluster: { instances: +instances, volunteers: +volunteers }, job: { kind: "montecarlo", tasks: +tasks, samples: +samples },
    summary, runs }, null, 2) + "\n");
  console.log("| fault | runs passed | identical to native | merges stored (moves, for the rescue) | median job s | median s from fault to job end | s from fault to /health 200 | failed job polls | s to reclaim / to all DONE again | done by stale epoch |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const s of summary) {
    const h = s.healthAfterMs.map((m) => (m / 1000).toFixed(1)).join(", ") || "-";
    let rc = s.reclaimS.length ? s.reclaimS.join(", ") + " / " + (s.rerunS.join(", ") || "-") : "-";
    if (s.fault === "rescue-while-dead") rc = `moved ${s.movedMsAfterDue.join(", ")} ms after due; poll taken over after ${s.pollTakenOverS.join(", ")} s; due timer held by the killed instance ${s.dueTimerHeldByKilled}/${s.runs}`;
    const name = s.fault === "kill-merger" ? `kill-merger (merge not yet stored at the kill: ${s.mergeHeldAtKill}/${s.runs})` : s.fault;
    console.log(`| ${name} | ${s.passed}/${s.runs} | ${s.identical}/${s.runs} | ${s.mergesStored.join(", ")} | ${s.medianJobS} | ${s.medianAfterFaultS ?? "-"} | ${h} | ${s.failedPolls} | ${rc} | ${s.doneByStaleEpoch} |`);
  }' "$rows" "$out" "$instances" "$volunteers" "$mc_tasks" "$mc_samples"
say "results: ${out#"$repo"/}"
# Every run must have passed (its checks are listed at the top).
if grep -q '"ok":false' "$rows"; then
  say "FAILED: $(grep -c '"ok":false' "$rows") of $(wc -l <"$rows") runs (see the FAILED lines above)"
  exit 1
fi
