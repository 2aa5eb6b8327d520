#!/usr/bin/env bash
# A real single-host Slurm cluster for development and tests, without systemd.
#
#   deploy/slurm/local-cluster.sh start [--fresh]   start (or complete) the cluster and check it runs jobs
#   deploy/slurm/local-cluster.sh stop              stop it: cancel running jobs, then the daemons by pid
#   deploy/slurm/local-cluster.sh status            what runs (exit 0 all up, 1 partly, 3 stopped)
#   deploy/slurm/local-cluster.sh env               print the exports Slurm clients (and surge's MUNGE) need
#   eval "$(deploy/slurm/local-cluster.sh env)"; sbatch -p volunteer --wrap hostname
#
# The cluster (ClusterName=surge-local) has two partitions that accept the same jobs:
#   batch      (Default) the real node, named after this host, with this machine's CPUs;
#   volunteer  the virtual node `vol`, served by a second slurmd on 127.0.0.1, advertising
#              $SURGE_VOLUNTEER_CPUS CPUs (default 1024): the Surge partition.
# Its own munged, slurmctld and two slurmds run as root and keep every file in one directory,
# ${SURGE_SLURM_DIR:-<repo>/.surge/slurm}: munge key and socket, slurm.conf, state, spool, logs,
# pid files. Its ports are chosen free once (from 17000-17999, see pick_ports) and kept there, so a
# restart keeps them and a system Slurm on 6817/6818 is left alone.
#
# Idempotent: `start` starts only what is not running (a second `start` does nothing and checks
# nothing), regenerates slurm.conf from the same inputs, and restarts everything when that file
# changed (e.g. another SURGE_VOLUNTEER_CPUS). After starting something it waits until both
# partitions are up and a trivial job has completed on each (bounded; the log tail on failure).
# Job state survives stop/start like on a real cluster (pending jobs stay queued); `start --fresh`
# (or SURGE_SLURM_FRESH=1) forgets all jobs and node states instead. `stop` when stopped is fine.
# Installs munge and Slurm with apt when they are missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The daemons live in /usr/sbin, which e.g. `su` without `-` leaves off root's PATH.
PATH=$PATH:/usr/sbin:/sbin
DIR=${SURGE_SLURM_DIR:-$ROOT/.surge/slurm}
VOLUNTEER_CPUS=${SURGE_VOLUNTEER_CPUS:-1024}
START_TIMEOUT=${SURGE_SLURM_START_TIMEOUT:-60} # seconds for daemons, partitions and check jobs
PORT_RANGE_LO=17000
PORT_RANGE_HI=17999
VOL_NODE=vol

say() { echo "local-cluster: $*"; }
die() {
  echo "local-cluster: error: $*" >&2
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

[[ "$VOLUNTEER_CPUS" =~ ^[1-9][0-9]*$ ]] || die "SURGE_VOLUNTEER_CPUS must be a positive number, not '$VOLUNTEER_CPUS'"
[[ "$START_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "SURGE_SLURM_START_TIMEOUT must be a positive number of seconds, not '$START_TIMEOUT'"

# The state directory is made absolute so that `env` prints a path valid from anywhere.
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
CONF=$DIR/slurm.conf
PORTS=$DIR/ports.env
MUNGE_SOCKET=$DIR/munge/run/munge.socket
HOST=$(hostname -s)

# --- packages ---------------------------------------------------------------------------------
ensure_packages() {
  local missing=() cmd
  for cmd in munged mungekey slurmctld slurmd sinfo sbatch srun scontrol squeue scancel; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  ((${#missing[@]} == 0)) && return 0
  say "installing munge and Slurm with apt (missing: ${missing[*]})"
  local as_root=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot install munge and Slurm"
    as_root=(sudo)
  fi
  local apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q -y)
  local log
  log=$(mktemp)
  if ! { "${apt[@]}" update && "${apt[@]}" install --no-install-recommends munge slurmctld slurmd slurm-client; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    die "apt-get install munge slurmctld slurmd slurm-client failed"
  fi
  rm -f "$log"
}

# --- processes --------------------------------------------------------------------------------
# Daemon names and their pid files (each daemon writes its own).
DAEMONS=(munged slurmctld "slurmd-$HOST" "slurmd-$VOL_NODE")
pid_file() { echo "$DIR/run/$1.pid"; }

# The pid of a daemon of *this* cluster, or nothing: the pid file must name a live process whose
# command line mentions this directory (a reused pid or a system daemon does not count).
live_pid() {
  local f pid
  f=$(pid_file "$1")
  [[ -s "$f" ]] || return 1
  pid=$(tr -dc '0-9' <"$f")
  [[ -n "$pid" ]] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DIR/" || return 1
  echo "$pid"
}

running_count() {
  local n=0 d
  for d in "${DAEMONS[@]}"; do live_pid "$d" >/dev/null && n=$((n + 1)); done
  echo "$n"
}

# slurmstepd processes (and so the jobs under them) of this cluster: a step daemon holds its
# log file in this directory open.
stepd_pids() {
  local p fd
  for p in $(pgrep -x slurmstepd 2>/dev/null || true); do
    for fd in "/proc/$p/fd"/*; do
      if [[ "$(readlink "$fd" 2>/dev/null)" == "$DIR/"* ]]; then
        echo "$p"
        break
      fi
    done
  done
}

# Every descendant of the given pids, deepest last.
descendants() {
  local p c
  for p in "$@"; do
    for c in $(pgrep -P "$p" 2>/dev/null || true); do
      echo "$c"
      descendants "$c"
    done
  done
}

# Whether a process runs: a zombie does not (here PID 1 takes up to 2 s to reap a daemon that has
# exited, and kill -0 succeeds on a zombie).
alive() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n "$state" && "$state" != Z ]]
}

# TERM the pids, wait up to $1 seconds, then KILL what is left.
terminate() {
  local wait=$1
  shift
  (($# == 0)) && return 0
  kill -TERM "$@" 2>/dev/null || true
  local deadline=$((SECONDS + wait)) p left
  while ((SECONDS < deadline)); do
    left=()
    for p in "$@"; do alive "$p" && left+=("$p"); done
    ((${#left[@]} == 0)) && return 0
    sleep 0.05
  done
  for p in "$@"; do alive "$p" && say "pid $p ignored SIGTERM, sending SIGKILL"; done
  kill -KILL "$@" 2>/dev/null || true
  sleep 0.1
}

# --- configuration ----------------------------------------------------------------------------
port_busy() { ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }

# Three free TCP ports (slurmctld, the real slurmd, the virtual slurmd), chosen once per
# directory and kept in ports.env. The search starts at an offset derived from the directory so
# that two state directories (e.g. a developer's cluster and the smoke test's) rarely pick the same.
pick_ports() {
  if [[ -s "$PORTS" ]]; then
    # shellcheck disable=SC1090
    source "$PORTS"
    return 0
  fi
  command -v ss >/dev/null 2>&1 || die "ss (iproute2) is needed to choose free ports"
  local span=$((PORT_RANGE_HI - PORT_RANGE_LO + 1)) offset i port chosen=()
  offset=$(($(printf '%s' "$DIR" | cksum | cut -d' ' -f1) % span))
  for ((i = 0; i < span && ${#chosen[@]} < 3; i++)); do
    port=$((PORT_RANGE_LO + (offset + i) % span))
    port_busy "$port" || chosen+=("$port")
  done
  ((${#chosen[@]} == 3)) || die "no three free ports in $PORT_RANGE_LO-$PORT_RANGE_HI"
  SLURMCTLD_PORT=${chosen[0]}
  SLURMD_PORT=${chosen[1]}
  VOL_PORT=${chosen[2]}
  printf 'SLURMCTLD_PORT=%s\nSLURMD_PORT=%s\nVOL_PORT=%s\n' "$SLURMCTLD_PORT" "$SLURMD_PORT" "$VOL_PORT" >"$PORTS"
}

make_dirs() {
  mkdir -p "$DIR"/{munge/run,state,log,run,spool/"$HOST",spool/"$VOL_NODE"}
  # munged refuses a socket directory that others may write to; clients must be able to reach it.
  chmod 755 "$DIR/munge" "$DIR/munge/run"
  [[ -e "$DIR/plugstack.conf" ]] || : >"$DIR/plugstack.conf"
  if [[ ! -s "$DIR/munge/munge.key" ]]; then
    mungekey --create --keyfile="$DIR/munge/munge.key" >/dev/null
    chmod 600 "$DIR/munge/munge.key"
  fi
}

# slurm.conf for this cluster, on stdout.
render_conf() {
  local cpus
  cpus=$(nproc)
  cat <<EOF
# Generated by deploy/slurm/local-cluster.sh: edits are overwritten at the next start.
ClusterName=surge-local
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$SLURMCTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET

StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$DIR/plugstack.conf
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true

SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,default_queue_depth=1000
# One slurmd serves the virtual node: it must register with the CPUs written here, not the ones it
# finds (otherwise: DRAIN+INVALID_REG).
SlurmdParameters=config_overrides
# Jobs move between partitions (scontrol update Partition=volunteer); a job that fits one partition
# is accepted even if it would not fit the other.
EnforcePartLimits=ANY
ReturnToService=2
# scancel: SIGTERM, then SIGKILL 5 s later. Hand-back uses scontrol requeue.
KillWait=5
JobRequeue=1
# Finished jobs stay visible to scontrol show job for an hour.
MinJobAge=3600

NodeName=$HOST NodeAddr=127.0.0.1 Port=$SLURMD_PORT CPUs=$cpus State=UNKNOWN
NodeName=$VOL_NODE NodeHostname=$HOST NodeAddr=127.0.0.1 Port=$VOL_PORT CPUs=$VOLUNTEER_CPUS State=UNKNOWN
PartitionName=batch Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
PartitionName=volunteer Nodes=$VOL_NODE MaxTime=INFINITE State=UP
EOF
}

# --- commands ---------------------------------------------------------------------------------
# The last lines of the named daemons' logs (default: slurmctld and both slurmds) on stderr.
log_tail() {
  local names=("$@") n f
  ((${#names[@]} > 0)) || names=(slurmctld "slurmd-$HOST" "slurmd-$VOL_NODE")
  for n in "${names[@]}"; do
    for f in "$DIR/log/$n.log" "$DIR/log/$n.stdout"; do
      [[ -s "$f" ]] || continue
      echo "--- tail of $f (without the PMIx plugin's lines)" >&2
      grep -v -e 'pmix' -e 'MPI: Cannot create context' "$f" | tail -n 12 >&2
    done
  done
}

# Reports a failed start with the logs of the named daemons and exits; what runs is left running.
fail_start() {
  local msg=$1
  shift
  echo "local-cluster: error: $msg" >&2
  log_tail "$@"
  echo "local-cluster: what started is left running for a look; '$0 stop' stops it" >&2
  exit 1
}

# Start one daemon unless it runs; it daemonizes and writes its own pid file, which we wait for.
start_daemon() {
  local name=$1
  shift
  live_pid "$name" >/dev/null && return 1
  rm -f "$(pid_file "$name")"
  # 9>&-: the daemon must not inherit (and so hold) the lock.
  "$@" >"$DIR/log/$name.stdout" 2>&1 </dev/null 9>&- || fail_start "$name did not start ($*)" "$name"
  local deadline=$((SECONDS + 10))
  until live_pid "$name" >/dev/null; do
    ((SECONDS < deadline)) || fail_start "$name wrote no pid file within 10 s" "$name"
    sleep 0.05
  done
  return 0
}

slurm() { SLURM_CONF=$CONF "$@"; }

# Both partitions up with their node ready for jobs (idle, or running jobs kept from before a restart).
partitions_ready() {
  local out
  out=$(slurm sinfo -h -o '%R %a %t' 2>/dev/null) || return 1
  grep -qxE 'batch up (idle|mix|alloc)' <<<"$out" && grep -qxE 'volunteer up (idle|mix|alloc)' <<<"$out"
}

cmd_start() {
  local fresh=${SURGE_SLURM_FRESH:-0}
  [[ "${1:-}" == --fresh ]] && fresh=1
  ensure_packages
  local t0
  t0=$(now)
  make_dirs
  pick_ports
  local new_conf
  new_conf=$(render_conf)
  if [[ ! -f "$CONF" ]] || [[ "$new_conf" != "$(cat "$CONF")" ]]; then
    if (($(running_count) > 0)); then
      say "slurm.conf changed: restarting the cluster"
      cmd_stop
    fi
    printf '%s\n' "$new_conf" >"$CONF"
  fi
  if ((fresh)); then
    (($(running_count) > 0)) && cmd_stop
    rm -rf "${DIR:?}/state" "${DIR:?}/spool"
    make_dirs
  fi

  local started=0 p
  # A port held by someone else would make a daemon die with "Address already in use".
  for p in "munged" "slurmctld:$SLURMCTLD_PORT" "slurmd-$HOST:$SLURMD_PORT" "slurmd-$VOL_NODE:$VOL_PORT"; do
    [[ "$p" == *:* ]] || continue
    if ! live_pid "${p%%:*}" >/dev/null && port_busy "${p##*:}"; then
      die "port ${p##*:} (for ${p%%:*}) is taken by another program; delete $PORTS to choose new ports"
    fi
  done

  start_daemon munged munged --key-file="$DIR/munge/munge.key" --socket="$MUNGE_SOCKET" \
    --pid-file="$(pid_file munged)" --log-file="$DIR/log/munged.log" \
    --seed-file="$DIR/munge/munged.seed" && started=1
  local ctld_flags=()
  ((fresh)) && ctld_flags=(-c)
  start_daemon slurmctld slurmctld -f "$CONF" "${ctld_flags[@]}" && started=1
  start_daemon "slurmd-$HOST" slurmd -f "$CONF" -N "$HOST" && started=1
  start_daemon "slurmd-$VOL_NODE" slurmd -f "$CONF" -N "$VOL_NODE" && started=1

  if ((started == 0)); then
    say "already running ($DIR)"
    return 0
  fi

  local deadline=$((SECONDS + START_TIMEOUT))
  until partitions_ready; do
    if ((SECONDS >= deadline)); then
      slurm sinfo >&2 || true
      fail_start "partitions batch and volunteer not both up within ${START_TIMEOUT}s"
    fi
    # A node drained by an earlier run stays drained in saved state; give it back.
    if slurm sinfo -h -N -o '%N %t' 2>/dev/null | grep -qE ' (drain|drng|drained)$'; then
      slurm scontrol update NodeName="$HOST,$VOL_NODE" State=RESUME >/dev/null 2>&1 || true
    fi
    sleep 0.1
  done

  # A trivial job on each partition, concurrently; not on a partition whose node is full with jobs
  # kept from before a restart (the check would wait for them).
  local budget=$((deadline - SECONDS)) part state pids=() parts=() outs=() skipped=() i rc failed=0
  ((budget < 10)) && budget=10
  for part in batch volunteer; do
    state=$(slurm sinfo -h -p "$part" -o %t 2>/dev/null || true)
    if [[ "$state" == alloc ]]; then
      skipped+=("$part")
      continue
    fi
    parts+=("$part")
    outs+=("$(mktemp)")
    slurm timeout "$budget" srun -Q -p "$part" -N1 -n1 -t 1 -J surge-check hostname >"${outs[-1]}" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    rc=0
    wait "${pids[$i]}" || rc=$?
    if ((rc != 0)); then
      failed=1
      echo "--- srun -p ${parts[$i]} hostname (exit $rc):" >&2
      cat "${outs[$i]}" >&2
    fi
    rm -f "${outs[$i]}"
  done
  if ((failed)); then
    slurm squeue >&2 || true
    fail_start "a check job did not complete within ${budget}s (jobs kept from before a restart may hold the partition: 'start --fresh' forgets them)"
  fi
  ((${#skipped[@]} == 0)) || say "no check job on ${skipped[*]}: its node is busy with earlier jobs"
  say "started in $(since "$t0") s: partitions batch ($(nproc) CPUs on $HOST) and volunteer ($VOLUNTEER_CPUS CPUs on $VOL_NODE); $DIR"
}

cmd_stop() {
  local t0
  t0=$(now)
  # Running jobs would outlive the daemons (slurmstepd is a daemon of its own): cancel them while
  # slurmctld still answers (SIGTERM, SIGKILL after KillWait) and wait for their step daemons.
  if live_pid slurmctld >/dev/null && [[ -f "$CONF" ]]; then
    if slurm squeue -h -t RUNNING,SUSPENDED,COMPLETING -o %i 2>/dev/null | grep -q .; then
      slurm timeout 10 scancel --state=RUNNING --full 2>/dev/null || true
      slurm timeout 10 scancel --state=SUSPENDED --full 2>/dev/null || true
      local deadline=$((SECONDS + 8)) # KillWait=5 and some slack
      while ((SECONDS < deadline)) && [[ -n "$(stepd_pids)" ]]; do sleep 0.1; done
    fi
  fi
  # All daemons at once (slurmctld, saving its state, takes longest: up to 3 s).
  local pids=() d p
  for d in "${DAEMONS[@]}"; do
    if p=$(live_pid "$d"); then pids+=("$p"); fi
  done
  terminate 5 "${pids[@]}"
  # What is left of jobs: step daemons (whose slurmctld was gone or did not answer) and their trees.
  local steps=() tree=()
  mapfile -t steps < <(stepd_pids)
  if ((${#steps[@]} > 0)); then
    mapfile -t tree < <(descendants "${steps[@]}")
    say "killing ${#steps[@]} left-over step daemon(s) and their ${#tree[@]} process(es)"
    terminate 2 "${steps[@]}" "${tree[@]}"
  fi
  # Dead daemons stay zombies until PID 1 reaps them: at once on most machines, every 2 s or so on
  # this project's VMs. Wait for that (bounded) so that `pgrep slurm` right after stop is empty.
  local deadline=$((SECONDS + 5)) z
  while ((SECONDS < deadline)); do
    z=0
    for p in "${pids[@]}" "${steps[@]}" "${tree[@]}"; do [[ -e /proc/$p ]] && z=1; done
    ((z)) || break
    sleep 0.05
  done
  for d in "${DAEMONS[@]}"; do rm -f "$(pid_file "$d")"; done
  if ((${#pids[@]} > 0)); then
    say "stopped in $(since "$t0") s"
  else
    say "not running"
  fi
}

cmd_status() {
  local d p n=0
  for d in "${DAEMONS[@]}"; do
    if p=$(live_pid "$d"); then
      printf '%-16s running (pid %s)\n' "$d" "$p"
      n=$((n + 1))
    else
      printf '%-16s stopped\n' "$d"
    fi
  done
  echo "directory        $DIR"
  if [[ -s "$PORTS" ]]; then
    # shellcheck disable=SC1090
    source "$PORTS"
    echo "ports            slurmctld $SLURMCTLD_PORT, slurmd $HOST $SLURMD_PORT, slurmd $VOL_NODE $VOL_PORT"
  fi
  if live_pid slurmctld >/dev/null; then
    slurm sinfo 2>&1 || true
  fi
  ((n == ${#DAEMONS[@]})) && return 0
  ((n > 0)) && return 1
  return 3
}

cmd_env() {
  printf 'export SLURM_CONF=%q\n' "$CONF"
  printf 'export SURGE_SLURM_DIR=%q\n' "$DIR"
  # surge and surge offload make their MUNGE credential with this munged; the server decodes with it.
  printf 'export SURGE_MUNGE_SOCKET=%q\n' "$MUNGE_SOCKET"
}

# start and stop of one directory take turns (e.g. two test suites starting the cluster at once).
lock() {
  exec 9>"$DIR/lock"
  flock -w 300 9 || die "another start or stop of $DIR holds $DIR/lock"
}

case "${1:-}" in
  start)
    shift
    lock
    cmd_start "$@"
    ;;
  stop)
    lock
    cmd_stop
    ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 start [--fresh] | stop | status | env" >&2
    exit 2
    ;;
esac
