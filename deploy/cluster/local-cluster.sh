#!/usr/bin/env bash
# Several Surge instances on one PostgreSQL behind nginx, on this machine, without systemd.
#
#   deploy/cluster/local-cluster.sh start [--instances N]   start what is not running (N default 2)
#   deploy/cluster/local-cluster.sh stop                    stop everything by pid
#   deploy/cluster/local-cluster.sh status                  what runs (exit 0 all up, 1 partly, 3 stopped)
#   deploy/cluster/local-cluster.sh env                     the exports a client needs:
#   eval "$(deploy/cluster/local-cluster.sh env)"; curl "$SURGE_SERVER/health"
#
# What runs, every file in one directory ${SURGE_CLUSTER_DIR:-<repo>/.surge/cluster}:
#   postgres     Debian's PostgreSQL 15 (/usr/lib/postgresql/15/bin), its own cluster in pg/data,
#                on 127.0.0.1 and a socket in pg/run; as user $SURGE_CLUSTER_PG_USER (default
#                postgres, else nobody) when this script runs as root, since PostgreSQL refuses root;
#                SURGE_CLUSTER_PG_OPTIONS adds server options (bench/throughput.sh --setups loads
#                pg_stat_statements with "-c shared_preload_libraries=pg_stat_statements");
#   instance-K   bin/surge-server (Payara Micro with the built WAR) with SURGE_DATA_DIR=instances/K,
#                SURGE_BIND=127.0.0.1, SURGE_DB_URL on that PostgreSQL, SURGE_CLUSTER=on (the
#                instances share tasks through it; SURGE_CLUSTER=off from the caller keeps each
#                instance's jobs its own) and SURGE_INSTANCE_NAME=instance-K (the owner name in
#                task_claims); every other SURGE_* variable of the caller's environment is passed
#                on (e.g. SURGE_KERNEL_POLICY, SURGE_CLUSTER_LEASE);
#   nginx        /usr/sbin/nginx with nginx/nginx.conf (deploy/nginx/surge-cluster.conf rendered
#                with the instances), run with -p and -c: no system configuration is read or touched.
# All instances share the operator token in admin-token (made at the first start, mode 0600; `env`
# names it as SURGE_ADMIN_TOKEN_FILE), the database password in db-password and a consent secret.
# Ports are chosen free in 18000-18999 once and kept in ports.env, so SURGE_SERVER stays the same
# across restarts; new ones are chosen when a kept one is taken by another program while nothing
# of the cluster runs.
#
# `start` starts only what is not running, in order: PostgreSQL, the first instance alone (it
# creates the schema on a new database), the others together, nginx; it waits for each instance's
# /health and for /health through nginx (SURGE_CLUSTER_START_TIMEOUT, default 300 s per step: Payara
# takes 60-240 s on a loaded machine; an instance that ran already may answer 503, its own verdict). So after a fault (an instance killed, PostgreSQL or nginx
# stopped) a second `start` brings back exactly what is missing; when all runs it says so.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PATH=$PATH:/usr/sbin:/sbin
DIR=${SURGE_CLUSTER_DIR:-$ROOT/.surge/cluster}
PG_BIN=${SURGE_CLUSTER_PG_BIN:-/usr/lib/postgresql/15/bin}
START_TIMEOUT=${SURGE_CLUSTER_START_TIMEOUT:-300}
PORT_RANGE_LO=18000
PORT_RANGE_HI=18999
MAX_INSTANCES=16

say() { echo "local-cluster: $*" >&2; }
die() {
  echo "local-cluster: error: $*" >&2
  exit 1
}
usage() {
  echo "usage: $0 start [--instances N] | stop | status | env" >&2
  exit 2
}

[[ "$START_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "SURGE_CLUSTER_START_TIMEOUT must be a positive number of seconds, not '$START_TIMEOUT'"

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
PORTS=$DIR/ports.env
PG_DATA=$DIR/pg/data
PG_RUN=$DIR/pg/run
NGINX_DIR=$DIR/nginx

# --- processes --------------------------------------------------------------------------------
# Whether a process runs: a zombie does not (kill -0 succeeds on one).
alive() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n "$state" && "$state" != Z ]]
}

# The pid in a pid file when it names a live process of *this* cluster (its command line mentions
# this directory): a reused pid or another program's process does not count.
pid_from() {
  local f=$1 pid
  [[ -s "$f" ]] || return 1
  pid=$(head -n 1 "$f" | tr -dc '0-9')
  [[ -n "$pid" ]] && alive "$pid" || return 1
  # An instance's command line names this directory only once bin/surge-server has exec'd the
  # JVM; its environment names it from the start.
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DIR/" ||
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qF -- "SURGE_DATA_DIR=$DIR/" ||
    return 1
  echo "$pid"
}
# PostgreSQL writes its pid as the first line of postmaster.pid; nginx writes nginx.pid; the
# instances' pids are written here when they start (bin/surge-server execs the JVM).
postgres_pid() { pid_from "$PG_DATA/postmaster.pid"; }
nginx_pid() { pid_from "$DIR/run/nginx.pid"; }
instance_pid() { pid_from "$DIR/run/instance-$1.pid"; }

# TERM (or the given signal) to the pids, wait up to $2 seconds, then KILL what is left.
terminate() {
  local signal=$1 wait=$2
  shift 2
  (($# == 0)) && return 0
  kill "-$signal" "$@" 2>/dev/null || true
  local deadline=$((SECONDS + wait)) p left
  while ((SECONDS < deadline)); do
    left=()
    for p in "$@"; do alive "$p" && left+=("$p"); done
    ((${#left[@]} == 0)) && break
    sleep 0.1
  done
  for p in "$@"; do
    if alive "$p"; then
      say "pid $p ignored SIG$signal for ${wait}s, sending SIGKILL"
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  # Dead children of PID 1 stay zombies until it reaps them (every 2 s or so on these VMs).
  deadline=$((SECONDS + 5))
  while ((SECONDS < deadline)); do
    left=()
    for p in "$@"; do [[ -e /proc/$p ]] && left+=("$p"); done
    ((${#left[@]} == 0)) && return 0
    sleep 0.05
  done
}

# --- configuration ----------------------------------------------------------------------------
port_busy() { ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }

instance_count() {
  [[ -s "$PORTS" ]] || return 1
  # shellcheck disable=SC1090
  (source "$PORTS" && echo "${#INSTANCE_PORTS[@]}")
}

# PG_PORT, NGINX_PORT and INSTANCE_PORTS (N of them): kept from ports.env when it has N instances
# and its ports are free (or held by this cluster), else chosen afresh.
pick_ports() {
  local n=$1 reuse=0 p
  if [[ -s "$PORTS" ]]; then
    # shellcheck disable=SC1090
    source "$PORTS"
    if ((${#INSTANCE_PORTS[@]} == n)); then
      reuse=1
      if (($(running_count) == 0)); then
        for p in "$PG_PORT" "$NGINX_PORT" "${INSTANCE_PORTS[@]}"; do port_busy "$p" && reuse=0; done
        ((reuse)) || say "a kept port is taken by another program: choosing new ports"
      fi
    fi
  fi
  ((reuse)) && return 0
  command -v ss >/dev/null 2>&1 || die "ss (iproute2) is needed to choose free ports"
  local span=$((PORT_RANGE_HI - PORT_RANGE_LO + 1)) offset i port chosen=()
  offset=$(($(printf '%s' "$DIR" | cksum | cut -d' ' -f1) % span))
  for ((i = 0; i < span && ${#chosen[@]} < n + 2; i++)); do
    port=$((PORT_RANGE_LO + (offset + i) % span))
    port_busy "$port" || chosen+=("$port")
  done
  ((${#chosen[@]} == n + 2)) || die "no $((n + 2)) free ports in $PORT_RANGE_LO-$PORT_RANGE_HI"
  PG_PORT=${chosen[0]}
  NGINX_PORT=${chosen[1]}
  INSTANCE_PORTS=("${chosen[@]:2}")
  {
    echo "PG_PORT=$PG_PORT"
    echo "NGINX_PORT=$NGINX_PORT"
    echo "INSTANCE_PORTS=(${INSTANCE_PORTS[*]})"
  } >"$PORTS"
}

running_count() {
  local n=0 k count
  postgres_pid >/dev/null && n=$((n + 1))
  nginx_pid >/dev/null && n=$((n + 1))
  count=$(instance_count) || count=0
  for ((k = 1; k <= count; k++)); do instance_pid "$k" >/dev/null && n=$((n + 1)); done
  echo "$n"
}

# A secret kept in a file of the state directory (mode 0600), made once.
secret() {
  local f=$DIR/$1 prefix=$2
  if [[ ! -s "$f" ]]; then
    (umask 077 && printf '%s%s\n' "$prefix" "$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)" >"$f")
  fi
  tr -d '\n' <"$f"
}

# --- PostgreSQL ---------------------------------------------------------------------------------
# PostgreSQL refuses to run as root: as root, its files belong to and it runs as PG_USER.
PG_USER=
as_pg() {
  if [[ -n "$PG_USER" ]]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}
choose_pg_user() {
  ((EUID == 0)) || return 0
  PG_USER=${SURGE_CLUSTER_PG_USER:-}
  if [[ -z "$PG_USER" ]]; then
    if getent passwd postgres >/dev/null; then PG_USER=postgres; else PG_USER=nobody; fi
  fi
  getent passwd "$PG_USER" >/dev/null || die "SURGE_CLUSTER_PG_USER=$PG_USER is not a user of this machine"
  mkdir -p "$DIR/pg"
  chown "$PG_USER" "$DIR/pg"
  # Every folder above pg/ must let that user through (e.g. not under root's home, mode 700).
  as_pg test -w "$DIR/pg" ||
    die "user $PG_USER (who runs PostgreSQL, which refuses root) cannot reach $DIR/pg; set SURGE_CLUSTER_DIR to a directory outside private folders, e.g. /var/tmp/surge-cluster"
}

start_postgres() {
  postgres_pid >/dev/null && return 1
  [[ -x "$PG_BIN/initdb" ]] || die "PostgreSQL 15 is not installed ($PG_BIN/initdb missing): run deploy/install-deps.sh"
  choose_pg_user
  local password
  password=$(secret db-password "")
  if [[ ! -s "$PG_DATA/PG_VERSION" ]]; then
    say "creating a PostgreSQL cluster in $PG_DATA"
    rm -rf "$PG_DATA"
    as_pg mkdir -p "$PG_DATA" "$PG_RUN"
    local pwfile
    pwfile=$(as_pg mktemp -p "$DIR/pg")
    printf '%s\n' "$password" | as_pg tee "$pwfile" >/dev/null
    # Local socket connections (this script's own psql) are trusted; TCP ones need the password.
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U surge --pwfile="$pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DIR/log/initdb.log" 2>&1 ||
      {
        rm -f "$pwfile"
        tail -n 20 "$DIR/log/initdb.log" >&2
        die "initdb failed (log: $DIR/log/initdb.log)"
      }
    rm -f "$pwfile"
  fi
  as_pg mkdir -p "$PG_RUN"
  touch "$DIR/log/postgres.log"
  [[ -n "$PG_USER" ]] && chown "$PG_USER" "$DIR/log/postgres.log"
  # pg_ctl starts postgres in the background and waits until it accepts connections.
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$DIR/log/postgres.log" -w -t "$START_TIMEOUT" start \
    -o "-p $PG_PORT -k $PG_RUN -c listen_addresses=127.0.0.1 -c max_connections=200 ${SURGE_CLUSTER_PG_OPTIONS:-}" \
    >"$DIR/log/pg_ctl.log" 2>&1 9>&- ||
    {
      tail -n 20 "$DIR/log/postgres.log" >&2
      die "PostgreSQL did not start (log: $DIR/log/postgres.log)"
    }
  if ! as_pg "$PG_BIN/psql" -h "$PG_RUN" -p "$PG_PORT" -U surge -d postgres -Atqc \
    "select 1 from pg_database where datname = 'surge'" | grep -q 1; then
    as_pg "$PG_BIN/createdb" -h "$PG_RUN" -p "$PG_PORT" -U surge surge
  fi
  say "postgres running (pid $(postgres_pid)) on 127.0.0.1:$PG_PORT, database surge"
  return 0
}

# --- instances ----------------------------------------------------------------------------------
instance_url() { echo "http://127.0.0.1:${INSTANCE_PORTS[$(($1 - 1))]}"; }

launch_instance() {
  local k=$1 data=$DIR/instances/$1
  [[ -f "$ROOT/offload-server/target/surge.war" ]] ||
    die "no server build ($ROOT/offload-server/target/surge.war); build it: mvn -q -pl offload-server -am package -DskipTests"
  port_busy "${INSTANCE_PORTS[$((k - 1))]}" &&
    die "port ${INSTANCE_PORTS[$((k - 1))]} (for instance $k) is taken by another program; stop the cluster and delete $PORTS to choose new ports"
  mkdir -p "$data"
  # setsid: the instance leaves the caller's process group, so a Ctrl-C there does not reach it.
  (
    export SURGE_DATA_DIR=$data SURGE_BIND=127.0.0.1
    export SURGE_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/surge" SURGE_DB_USER=surge
    # The instances share tasks, results and merges through that PostgreSQL (docs/scale-out.md,
    # "Shared state"), each under its own name, unless the caller set SURGE_CLUSTER=off.
    if [[ "${SURGE_CLUSTER:-}" != [Oo][Ff][Ff] ]]; then export SURGE_CLUSTER=on; fi
    export SURGE_INSTANCE_NAME=instance-$k
    SURGE_DB_PASSWORD=$(secret db-password "")
    SURGE_ADMIN_TOKEN=$(secret admin-token surge_cluster)
    SURGE_CONSENT_SECRET=${SURGE_CONSENT_SECRET:-$(secret consent-secret "")}
    export SURGE_DB_PASSWORD SURGE_ADMIN_TOKEN SURGE_CONSENT_SECRET
    exec setsid "$ROOT/bin/surge-server" --port "${INSTANCE_PORTS[$((k - 1))]}"
  ) >>"$data/server.log" 2>&1 </dev/null 9>&- &
  LAUNCHED[$k]=$!
  echo $! >"$DIR/run/instance-$k.pid"
}
declare -A LAUNCHED=()

# Waits until every listed instance answers /health: with 200 when it was launched by this start;
# with 200 or 503 when it ran already (it is deployed; 503 is its own verdict, e.g. the journal
# reports DOWN for a minute after a failed write, as after a PostgreSQL restart, and waiting that
# out would only delay bringing back the missing parts).
await_instances() {
  local deadline=$((SECONDS + START_TIMEOUT)) k waiting code
  while :; do
    waiting=()
    for k in "$@"; do
      # Until the launching subshell has exec'd, its pid is not yet recognisably an instance's.
      if ! { [[ -n "${LAUNCHED[$k]:-}" ]] && alive "${LAUNCHED[$k]}"; } && ! instance_pid "$k" >/dev/null; then
        tail -n 30 "$DIR/instances/$k/server.log" >&2
        die "instance $k exited while starting (log: $DIR/instances/$k/server.log)"
      fi
      code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$(instance_url "$k")/health" || true)
      if [[ "$code" == 200 ]] || [[ "$code" == 503 && -z "${LAUNCHED[$k]:-}" ]]; then
        continue
      fi
      waiting+=("$k")
    done
    ((${#waiting[@]} == 0)) && return 0
    if ((SECONDS >= deadline)); then
      tail -n 30 "$DIR/instances/${waiting[0]}/server.log" >&2
      die "instance(s) ${waiting[*]} not healthy within ${START_TIMEOUT}s (what started is left running; '$0 stop' stops it)"
    fi
    sleep 0.5
  done
}

# --- nginx --------------------------------------------------------------------------------------
render_nginx() {
  local servers="" p
  for p in "${INSTANCE_PORTS[@]}"; do
    servers+="    server 127.0.0.1:$p max_fails=1 fail_timeout=10s;"$'\n'
  done
  mkdir -p "$NGINX_DIR"/{temp,logs}
  awk -v listen="127.0.0.1:$NGINX_PORT" -v servers="${servers%$'\n'}" '
    /^@SERVERS@$/ { print servers; next }
    { gsub("@LISTEN@", listen); print }' "$ROOT/deploy/nginx/surge-cluster.conf" >"$NGINX_DIR/surge-cluster.conf"
  cat >"$NGINX_DIR/nginx.conf" <<EOF
# Generated by deploy/cluster/local-cluster.sh: edits are overwritten at the next start.
worker_processes 1;
pid $DIR/run/nginx.pid;
error_log $NGINX_DIR/logs/error.log notice;
events { worker_connections 4096; }
http {
    access_log $NGINX_DIR/logs/access.log;
    client_body_temp_path $NGINX_DIR/temp/body;
    proxy_temp_path $NGINX_DIR/temp/proxy;
    fastcgi_temp_path $NGINX_DIR/temp/fastcgi;
    uwsgi_temp_path $NGINX_DIR/temp/uwsgi;
    scgi_temp_path $NGINX_DIR/temp/scgi;
    include $NGINX_DIR/surge-cluster.conf;
}
EOF
}

start_nginx() {
  nginx_pid >/dev/null && return 1
  command -v nginx >/dev/null 2>&1 || die "nginx is not installed: run deploy/install-deps.sh"
  port_busy "$NGINX_PORT" && die "port $NGINX_PORT (for nginx) is taken by another program; stop the cluster and delete $PORTS to choose new ports"
  render_nginx
  nginx -t -q -p "$NGINX_DIR" -e "$NGINX_DIR/logs/error.log" -c "$NGINX_DIR/nginx.conf" 2>"$DIR/log/nginx-test.log" ||
    {
      cat "$DIR/log/nginx-test.log" >&2
      die "nginx refused its configuration $NGINX_DIR/nginx.conf"
    }
  rm -f "$DIR/run/nginx.pid"
  # nginx daemonizes and writes its pid file.
  nginx -p "$NGINX_DIR" -e "$NGINX_DIR/logs/error.log" -c "$NGINX_DIR/nginx.conf" 9>&- ||
    die "nginx did not start (log: $NGINX_DIR/logs/error.log)"
  local deadline=$((SECONDS + 10))
  until nginx_pid >/dev/null; do
    ((SECONDS < deadline)) || die "nginx wrote no pid file within 10 s (log: $NGINX_DIR/logs/error.log)"
    sleep 0.05
  done
  return 0
}

# --- commands -----------------------------------------------------------------------------------
cmd_start() {
  local n=""
  while (($# > 0)); do
    case "$1" in
      --instances)
        [[ $# -ge 2 ]] || die "--instances needs a number (1 to $MAX_INSTANCES)"
        n=$2
        shift 2
        ;;
      --instances=*)
        n=${1#--instances=}
        shift
        ;;
      *) die "start: unknown option '$1' (usage: start [--instances N])" ;;
    esac
  done
  if [[ -n "$n" ]] && ! { [[ "$n" =~ ^[1-9][0-9]*$ ]] && ((n <= MAX_INSTANCES)); }; then
    die "--instances must be a whole number from 1 to $MAX_INSTANCES, not '$n'"
  fi
  local kept
  kept=$(instance_count) || kept=""
  if (($(running_count) > 0)); then
    # Parts run: the number of instances is the running cluster's.
    if [[ -n "$n" && "$n" != "$kept" ]]; then
      die "the cluster runs with $kept instance(s); stop it first to start it with $n"
    fi
    n=$kept
  fi
  n=${n:-2}
  command -v curl >/dev/null 2>&1 || die "curl is needed to check the instances' /health"
  mkdir -p "$DIR"/{run,log,instances}
  pick_ports "$n"

  local t0=$SECONDS started=() k
  start_postgres && started+=(postgres)
  local missing=()
  for ((k = 1; k <= n; k++)); do instance_pid "$k" >/dev/null || missing+=("$k"); done
  if ((${#missing[@]} > 0)); then
    # On a new database the first instance creates the schema: it starts alone, so that two
    # instances do not create the same tables at once. When some instance runs, the schema exists.
    if ((${#missing[@]} == n)); then
      launch_instance 1
      say "instance 1 starting on $(instance_url 1) (it creates the schema; the others wait for it)"
      await_instances 1
      missing=("${missing[@]:1}")
      started+=(instance-1)
    fi
    for k in "${missing[@]}"; do launch_instance "$k"; done
    ((${#missing[@]} > 0)) && say "instance(s) ${missing[*]} starting"
    for k in "${missing[@]}"; do started+=("instance-$k"); done
  fi
  # Also those that ran already: one may still be booting (a start that was interrupted).
  await_instances $(seq 1 "$n")
  start_nginx && started+=(nginx)
  local url=http://127.0.0.1:$NGINX_PORT deadline=$((SECONDS + 30)) code
  while :; do
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$url/health" || true)
    [[ "$code" == 200 || "$code" == 503 ]] && break
    ((SECONDS < deadline)) || die "no answer from $url/health through nginx within 30 s (last: ${code:-none}; log: $NGINX_DIR/logs/error.log)"
    sleep 0.2
  done
  [[ "$code" == 200 ]] || say "$url/health answers $code: an instance reports itself DOWN (see '$0 status')"
  if ((${#started[@]} == 0)); then
    say "already running: $n instance(s) behind $url ($DIR)"
  else
    say "started ${started[*]} in $((SECONDS - t0)) s: $n instance(s) behind $url ($DIR)"
  fi
}

cmd_stop() {
  local t0=$SECONDS k p pids=() count any=0
  # nginx first (no new requests), then the instances, then the database they write to.
  if p=$(nginx_pid); then
    any=1
    terminate QUIT 10 "$p"
  fi
  count=$(instance_count) || count=0
  for ((k = 1; k <= count; k++)); do
    if p=$(instance_pid "$k"); then pids+=("$p"); fi
  done
  if ((${#pids[@]} > 0)); then
    any=1
    terminate TERM 30 "${pids[@]}"
  fi
  # SIGINT: PostgreSQL's fast shutdown (SIGTERM would wait for clients to leave).
  if p=$(postgres_pid); then
    any=1
    terminate INT 30 "$p"
  fi
  rm -f "$DIR"/run/*.pid
  if ((any)); then say "stopped in $((SECONDS - t0)) s"; else say "not running"; fi
}

cmd_status() {
  local n=0 total=2 k p count
  count=$(instance_count) || count=0
  total=$((total + count))
  [[ -s "$PORTS" ]] && source "$PORTS"
  if p=$(postgres_pid); then
    printf '%-12s running (pid %s) on 127.0.0.1:%s\n' postgres "$p" "$PG_PORT"
    n=$((n + 1))
  else
    printf '%-12s stopped\n' postgres
  fi
  for ((k = 1; k <= count; k++)); do
    if p=$(instance_pid "$k"); then
      local h
      h=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$(instance_url "$k")/health" || true)
      if [[ "$h" == 200 ]]; then h=healthy; else h="/health answers ${h:-nothing}"; fi
      printf '%-12s running (pid %s) on %s, %s\n' "instance-$k" "$p" "$(instance_url "$k")" "$h"
      n=$((n + 1))
    else
      printf '%-12s stopped\n' "instance-$k"
    fi
  done
  if p=$(nginx_pid); then
    printf '%-12s running (pid %s) on http://127.0.0.1:%s\n' nginx "$p" "$NGINX_PORT"
    n=$((n + 1))
  else
    printf '%-12s stopped\n' nginx
  fi
  echo "directory    $DIR"
  ((n == total)) && return 0
  ((n > 0)) && return 1
  return 3
}

cmd_env() {
  (($(running_count) > 0)) || die "the cluster is not running; start it: $0 start"
  # shellcheck disable=SC1090
  source "$PORTS"
  local k p pids=() urls=()
  for ((k = 1; k <= ${#INSTANCE_PORTS[@]}; k++)); do
    if p=$(instance_pid "$k"); then pids+=("$p"); else pids+=(-); fi
    urls+=("$(instance_url "$k")")
  done
  echo "export SURGE_SERVER=http://127.0.0.1:$NGINX_PORT"
  # One entry per instance, in order; '-' for an instance that does not run.
  echo "export SURGE_INSTANCE_PIDS=\"${pids[*]}\""
  echo "export SURGE_INSTANCE_URLS=\"${urls[*]}\""
  printf 'export SURGE_ADMIN_TOKEN_FILE=%q\n' "$DIR/admin-token"
  printf 'export SURGE_CLUSTER_DIR=%q\n' "$DIR"
  echo "export SURGE_CLUSTER_DB=postgresql://surge@127.0.0.1:$PG_PORT/surge"
  # psql without a password (local socket, trusted): psql -h "$SURGE_CLUSTER_PG_SOCKET" -p <port> -U surge surge
  printf 'export SURGE_CLUSTER_PG_SOCKET=%q\n' "$PG_RUN"
  local ngx pg
  ngx=$(nginx_pid) || ngx=-
  pg=$(postgres_pid) || pg=-
  echo "export SURGE_NGINX_PID=$ngx"
  echo "export SURGE_POSTGRES_PID=$pg"
}

# start and stop of one directory take turns.
lock() {
  exec 9>"$DIR/lock"
  flock -w 600 9 || die "another start or stop of $DIR holds $DIR/lock"
}

case "${1:-}" in
  start)
    shift
    lock
    cmd_start "$@"
    ;;
  stop)
    (($# == 1)) || die "stop takes no arguments"
    lock
    cmd_stop
    ;;
  status)
    (($# == 1)) || die "status takes no arguments"
    cmd_status
    ;;
  env)
    (($# == 1)) || die "env takes no arguments"
    cmd_env
    ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'
    ;;
  "") usage ;;
  *)
    echo "local-cluster: error: unknown command '$1'" >&2
    usage
    ;;
esac
