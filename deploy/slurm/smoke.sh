#!/usr/bin/env bash
# Smoke test of the local Slurm cluster (deploy/slurm/local-cluster.sh): starts a fresh cluster in
# its own directory (${SURGE_SLURM_DIR:-<repo>/.surge/slurm-smoke}, so a developer's cluster in
# .surge/slurm is left alone), checks what Surge's Slurm face relies on, and stops it again:
#   - a batch job on each partition completes with exit code 0 and writes its output;
#   - a 20-element array (--array=0-19%10) on volunteer completes, never more than 10 at once;
#   - scancel ends a sleeping job CANCELLED within KillWait (5 s) + slack, with SIGTERM delivered
#     first and SIGKILL after KillWait to a job that ignores SIGTERM;
#   - a job pending on a full batch partition moves with scontrol update Partition=volunteer and
#     runs (prints the move-to-RUNNING latency);
#   - a job updates its own Comment with scontrol from inside;
#   - scontrol requeue of a running job, then StartTime=now, runs it again (hand-back);
#   - a job makes a MUNGE credential of its own user with SURGE_MUNGE_SOCKET (from `env`), as
#     surge offload does for every request, and a second decode of it is refused as a replay.
# Prints "N passed, M failed" and exits non-zero when something failed. SURGE_SMOKE_KEEP=1 leaves
# the cluster running afterwards (for a look at its logs and jobs).
#
# The --wrap scripts are in single quotes on purpose: their variables expand in the job.
# shellcheck disable=SC2016
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export SURGE_SLURM_DIR=${SURGE_SLURM_DIR:-$ROOT/.surge/slurm-smoke}
CLUSTER=$ROOT/deploy/slurm/local-cluster.sh
KILL_WAIT=5

passed=0
failed=0
ok() {
  passed=$((passed + 1))
  echo "ok   $*"
}
bad() {
  failed=$((failed + 1))
  echo "FAIL $*"
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

t_all=$(now)
finish() {
  local rc=$?
  if [[ "${SURGE_SMOKE_KEEP:-0}" != 1 ]]; then
    "$CLUSTER" stop || rc=1
    local left
    left=$(pgrep -a slurm 2>/dev/null | grep -F -- "$SURGE_SLURM_DIR/" || true)
    if [[ -n "$left" ]]; then
      echo "FAIL processes of the cluster left after stop:"
      echo "$left"
      failed=$((failed + 1))
    fi
  fi
  echo "$passed passed, $failed failed ($(since "$t_all") s)"
  ((failed == 0 && rc == 0)) || exit 1
}
trap finish EXIT

"$CLUSTER" start --fresh
eval "$("$CLUSTER" env)"
WORK=$SURGE_SLURM_DIR/smoke
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

# --- helpers ------------------------------------------------------------------------------------
# One field of `scontrol show job -o` (the first line: an array's first element).
job_field() { scontrol show job -o "$1" 2>/dev/null | head -n 1 | grep -oE "(^| )$2=[^ ]*" | head -n 1 | cut -d= -f2-; }

# Waits until the job's state is one of the |-separated states; prints the time it took.
wait_state() {
  local job=$1 states=$2 timeout=$3 t0 state
  t0=$(now)
  local deadline=$((SECONDS + timeout))
  while :; do
    state=$(job_field "$job" JobState)
    if [[ "|$states|" == *"|$state|"* ]]; then
      since "$t0"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      echo "job $job is ${state:-unknown} after ${timeout}s, wanted $states" >&2
      scontrol show job "$job" >&2 || true
      return 1
    fi
    sleep 0.02
  done
}

submit() { sbatch --parsable "$@" | cut -d';' -f1; }

# --- 1. a batch job on each partition -----------------------------------------------------------
for part in batch volunteer; do
  job=$(submit -p "$part" -J "smoke-$part" -o "$WORK/$part-%j.out" \
    --wrap 'echo "hello from $SLURMD_NODENAME in $SLURM_JOB_PARTITION"')
  if wait_state "$job" COMPLETED 30 >/dev/null &&
    [[ "$(job_field "$job" ExitCode)" == 0:0 ]] &&
    grep -q "hello from .* in $part" "$WORK/$part-$job.out"; then
    ok "job on $part completes with exit code 0 and its output ($(cat "$WORK/$part-$job.out"))"
  else
    bad "job $job on $part: state $(job_field "$job" JobState), exit $(job_field "$job" ExitCode), output: $(cat "$WORK/$part-$job.out" 2>&1)"
  fi
done

# --- 2. an array on volunteer -------------------------------------------------------------------
t0=$(now)
array=$(submit -p volunteer -J smoke-array --array=0-19%10 -o "$WORK/array-%A_%a.out" \
  --wrap 'echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT"; sleep 1')
max_running=0
deadline=$((SECONDS + 60))
while :; do
  running=$(squeue -h -j "$array" -t RUNNING -r -o %i 2>/dev/null | wc -l)
  ((running > max_running)) && max_running=$running
  active=$(squeue -h -j "$array" -r -o %i 2>/dev/null | wc -l)
  ((active == 0)) && break
  ((SECONDS < deadline)) || break
  sleep 0.1
done
array_time=$(since "$t0")
states=$(scontrol show job -o "$array" | grep -oE 'JobState=[A-Z_]+ .*ExitCode=[0-9:]+' | awk '{ print $1, $NF }' | sort | uniq -c)
completed=$(scontrol show job -o "$array" | grep -c 'JobState=COMPLETED .*ExitCode=0:0' || true)
outputs=0
for i in $(seq 0 19); do
  grep -qx "task $i of 20" "$WORK/array-${array}_$i.out" 2>/dev/null && outputs=$((outputs + 1))
done
if ((completed == 20 && outputs == 20)); then
  ok "array 0-19%10 on volunteer: 20 completed with exit code 0 and their outputs in ${array_time}s"
else
  bad "array $array: $completed of 20 completed with exit code 0, $outputs outputs; states: $states"
fi
if ((max_running <= 10 && max_running >= 2)); then
  ok "array throttle %10: at most $max_running elements ran at once"
else
  bad "array throttle %10: saw $max_running elements running at once"
fi

# --- 3. scancel ---------------------------------------------------------------------------------
job=$(submit -p volunteer -J smoke-sleep -o /dev/null --wrap 'sleep 300')
if wait_state "$job" RUNNING 30 >/dev/null; then
  sleep 0.3
  t0=$(now)
  scancel "$job"
  if took=$(wait_state "$job" CANCELLED $((KILL_WAIT + 5))); then
    ok "scancel ends a sleeping job CANCELLED in ${took}s"
  else
    bad "scancel: job $job not CANCELLED within $((KILL_WAIT + 5))s"
  fi
else
  bad "scancel: job $job never ran"
fi

# A job that records SIGTERM and goes on: CANCELLED only once SIGKILL follows KillWait later.
# (Slurm may send SIGTERM more than once, and it kills the sleep of the moment: hence the loop.)
job=$(submit -p volunteer -J smoke-stubborn -o "$WORK/stubborn.out" \
  --wrap 'trap "echo got SIGTERM" TERM; echo started; while :; do sleep 1 & wait; done')
if wait_state "$job" RUNNING 30 >/dev/null && timeout 10 bash -c "until grep -q started '$WORK/stubborn.out'; do sleep 0.05; done"; then
  t0=$(now)
  scancel "$job"
  if wait_state "$job" CANCELLED $((KILL_WAIT + 5)) >/dev/null; then
    took=$(since "$t0")
    terms=$(grep -c 'got SIGTERM' "$WORK/stubborn.out" || true)
    if ((terms > 0)) && awk -v t="$took" -v k="$KILL_WAIT" 'BEGIN { exit !(t >= k / 2) }'; then
      ok "scancel of a job ignoring SIGTERM: SIGTERM delivered ($terms times), SIGKILL after KillWait, CANCELLED in ${took}s"
    else
      bad "scancel of a job ignoring SIGTERM: CANCELLED in ${took}s, output: $(tr '\n' ' ' <"$WORK/stubborn.out")"
    fi
  else
    bad "scancel: stubborn job $job not CANCELLED within $((KILL_WAIT + 5))s"
  fi
else
  bad "scancel: stubborn job $job never ran"
fi

# --- 4. move a pending job from a full batch partition to volunteer -----------------------------
cpus=$(sinfo -h -p batch -o %C | awk -F/ '{ print $4 }')
filler=$(submit -p batch -J smoke-filler -c "$cpus" -o /dev/null --wrap 'sleep 300')
if wait_state "$filler" RUNNING 30 >/dev/null; then
  job=$(submit -p batch -J smoke-moved -o "$WORK/moved.out" --wrap 'echo "ran on $SLURMD_NODENAME in $SLURM_JOB_PARTITION"')
  # Wait until the scheduler has looked at it and found the partition full.
  deadline=$((SECONDS + 30))
  until [[ "$(job_field "$job" Reason)" =~ ^(Resources|Priority)$ ]] || ((SECONDS >= deadline)); do sleep 0.05; done
  state=$(job_field "$job" JobState)
  reason=$(job_field "$job" Reason)
  if [[ "$state" != PENDING ]]; then
    bad "move: job $job is $state ($reason), not pending behind the full batch partition"
  else
    t0=$(now)
    if scontrol update JobId="$job" Partition=volunteer && wait_state "$job" "RUNNING|COMPLETED" 30 >/dev/null; then
      latency=$(since "$t0")
      if wait_state "$job" COMPLETED 30 >/dev/null && grep -q 'ran on vol in volunteer' "$WORK/moved.out"; then
        ok "job pending on full batch ($reason) moved to volunteer: RUNNING ${latency}s after the move, completed"
        echo "move-to-RUNNING latency: ${latency}s"
      else
        bad "move: job $job ran after ${latency}s but did not complete on vol: $(cat "$WORK/moved.out" 2>&1)"
      fi
    else
      bad "move: job $job did not run after scontrol update Partition=volunteer"
    fi
  fi
else
  bad "move: the filler job $filler never ran"
fi
scancel "$filler" 2>/dev/null || true

# --- 5. a job updates its own comment -----------------------------------------------------------
job=$(submit -p volunteer -J smoke-comment -o "$WORK/comment.out" \
  --wrap 'scontrol update JobId=$SLURM_JOB_ID Comment="surge:progress=42%" && echo updated')
if wait_state "$job" COMPLETED 30 >/dev/null && [[ "$(job_field "$job" Comment)" == 'surge:progress=42%' ]]; then
  ok "scontrol update JobId=\$SLURM_JOB_ID Comment=... from inside the job"
else
  bad "comment: job $job is $(job_field "$job" JobState), Comment=$(job_field "$job" Comment), output: $(cat "$WORK/comment.out" 2>&1)"
fi

# --- 6. requeue (hand-back) ---------------------------------------------------------------------
# A requeued job waits cred_expire+1 (121 s) before it may start again, unless given StartTime=now
# once it is back to PENDING (an update sent while it is still completing is lost).
job=$(submit -p volunteer -J smoke-requeue -o "$WORK/requeue.out" --open-mode=append \
  --wrap 'echo "run $SLURM_RESTART_COUNT on $SLURMD_NODENAME"; sleep 300')
if wait_state "$job" RUNNING 30 >/dev/null; then
  t0=$(now)
  scontrol requeue "$job"
  deadline=$((SECONDS + 10))
  until [[ "$(job_field "$job" JobState) $(job_field "$job" Reason)" == "PENDING BeginTime" ]] || ((SECONDS >= deadline)); do
    sleep 0.02
  done
  if [[ "$(job_field "$job" JobState) $(job_field "$job" Reason)" == "PENDING BeginTime" ]]; then
    scontrol update JobId="$job" Partition=batch StartTime=now
    if wait_state "$job" RUNNING 30 >/dev/null &&
      [[ "$(job_field "$job" Restarts)" == 1 && "$(job_field "$job" Partition)" == batch ]]; then
      ok "scontrol requeue, then Partition=batch StartTime=now: running again on batch $(since "$t0")s after the requeue"
    else
      bad "requeue: job $job is $(job_field "$job" JobState) ($(job_field "$job" Reason)), Restarts=$(job_field "$job" Restarts)"
    fi
  else
    bad "requeue: job $job is $(job_field "$job" JobState) ($(job_field "$job" Reason)), not back to PENDING (BeginTime)"
  fi
  scancel "$job" 2>/dev/null || true
else
  bad "requeue: job $job never ran"
fi

# --- 7. MUNGE credentials from inside a job (what surge offload sends to the server) -------------
job=$(submit -p volunteer -J smoke-munge -o "$WORK/munge.out" \
  --wrap 'c=$(munge -n --socket "$SURGE_MUNGE_SOCKET"); echo "uid $(id -u)";
          printf %s "$c" | unmunge --socket "$SURGE_MUNGE_SOCKET" | grep "^UID:";
          printf %s "$c" | unmunge --socket "$SURGE_MUNGE_SOCKET" 2>&1 | grep -o "Replayed credential"')
if wait_state "$job" COMPLETED 30 >/dev/null &&
  uid=$(sed -n 's/^uid //p' "$WORK/munge.out") &&
  grep -Eq "^UID: +[^ ]+ \($uid\)" "$WORK/munge.out" &&
  grep -q "Replayed credential" "$WORK/munge.out"; then
  ok "a job's munge -n decodes to its uid ($uid) with the cluster's munged, and only once"
else
  bad "munge: job $job is $(job_field "$job" JobState), output: $(tr '\n' ' ' <"$WORK/munge.out" 2>&1)"
fi
