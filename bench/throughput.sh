#!/usr/bin/env bash
# Surge throughput benchmark: the real server and real headless volunteers over WebSockets on this
# machine, running noop.wasm, so what is measured is Surge's own cost per task.
#
#   bench/throughput.sh [options]
#     --volunteers N        volunteer processes (default 2)
#     --workers N           workers per volunteer process (default 1)
#     --tasks N             tasks per measured job (default 20000)
#     --runs R              measured jobs (default 3); figures are median and [min .. max]
#     --warmup-tasks N      tasks per warm-up job (default 20000)
#     --warmup-max-jobs N   warm-up jobs run until the JIT threads take <10% of the server's CPU,
#                           at least 2, at most N (default 12); 0 --warmup-tasks skips the warm-up
#     --cold                cold start: no warm-up at all (not even the small jobs), the measured
#                           jobs start as soon as the volunteers are connected after /health
#                           answered; defaults then to --runs 1 --latency-jobs 0 --baseline-runs 0
#                           (the first 20,000 tasks after boot). bench/coldstart.sh repeats it.
#     --latency-jobs N      small jobs submitted one after another for the latency figures (200; 0 skips)
#     --latency-tasks N     tasks per latency job (default 1)
#     --baseline-runs N     runs of each local baseline (default: --runs); 0 skips the baseline
#     --db h2|postgres      durable state in H2 (default) or a throwaway PostgreSQL cluster
#     --tasks-per-worker N  SURGE_TASKS_PER_WORKER for the server (default: the server's, 4)
#     --dispatch-mode M     SURGE_DISPATCH_MODE: async (server default) or batch
#     --java-opts "..."     SURGE_JAVA_OPTS for the server JVM (default: bin/surge-server's)
#     --jfr                 record a JFR profile of the measured runs into bench/results/
#     --home DIR            the Surge checkout to run (bin/, offload-server/target, worker-runtime);
#                           default: this one. For A/B runs of a patched build.
#     --label TEXT          added to the results file name and the JSON
#     --setups LIST         the same workload (volunteers, tasks, runs, warm-up) on several setups
#                           in one run, comma-separated, the first the reference of the ratios:
#                             h2    the single server on H2, as without --setups
#                             pgN   N instances with SURGE_CLUSTER=on on one PostgreSQL behind
#                                   nginx (deploy/cluster/local-cluster.sh, pg_stat_statements
#                                   loaded), the volunteers connected through nginx and spread
#                                   over the instances (pg1, pg2, ...)
#                           e.g. --setups h2,pg1,pg2. All setups run at once; each is warmed up,
#                           then the measured jobs are interleaved (run r starts at setup r mod S).
#                           Per setup: tasks/s, CPU s per 1,000 tasks of the instances (summed),
#                           PostgreSQL, nginx and volunteers, PostgreSQL statements and transactions per
#                           task, claims/s and the claim statements' time. No local baseline nor
#                           latency jobs; not with --db, --cold or --jfr. bench/throughput-setups.mjs.
#     --status-poll-ms N    with --setups: each job's status polled every N ms (default 1000; a
#                           clustered instance counts the job's claim rows in PostgreSQL for it)
#     --keep                keep the temporary directory (logs, databases) and print its path
#
# Prints a table and writes bench/results/<UTC timestamp>[-label].json. See docs/benchmarks.md.
set -euo pipefail
# Benchmarks measure dispatch, not kernel approval: every user may run any kernel.
export SURGE_KERNEL_POLICY="${SURGE_KERNEL_POLICY:-any-user}"

bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
# Every call needs a credential: an operator token for this run, sent by the CLI and api.mjs.
. "$repo/bench/lib/credentials.sh"
bench_operator_token
home="$repo"
volunteers=2 workers=1 tasks=20000 runs=3 warmup=20000 warmup_max=12 latency_jobs=200 latency_tasks=1
baseline_runs="" cold=0 db=h2 setups="" status_poll_ms=1000 tasks_per_worker="" dispatch_mode="" java_opts="" jfr=0 label="" keep=0

cmdline="bench/throughput.sh"
[ $# -gt 0 ] && cmdline+="$(printf ' %q' "$@")"
die() { echo "throughput.sh: $*" >&2; exit 2; }
need_int() { [[ "$2" =~ ^[0-9]+$ ]] || die "$1 must be a whole number, got '$2'"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --volunteers) need_int "$1" "${2-}"; volunteers=$2; shift 2 ;;
    --workers) need_int "$1" "${2-}"; workers=$2; shift 2 ;;
    --tasks) need_int "$1" "${2-}"; tasks=$2; shift 2 ;;
    --runs) need_int "$1" "${2-}"; runs=$2; runs_given=1; shift 2 ;;
    --cold) cold=1; shift ;;
    --warmup-tasks) need_int "$1" "${2-}"; warmup=$2; shift 2 ;;
    --warmup-max-jobs) need_int "$1" "${2-}"; warmup_max=$2; shift 2 ;;
    --latency-jobs) need_int "$1" "${2-}"; latency_jobs=$2; latency_given=1; shift 2 ;;
    --latency-tasks) need_int "$1" "${2-}"; latency_tasks=$2; shift 2 ;;
    --baseline-runs) need_int "$1" "${2-}"; baseline_runs=$2; shift 2 ;;
    --db) db="${2-}"; [[ "$db" = h2 || "$db" = postgres ]] || die "--db must be h2 or postgres"; shift 2 ;;
    --tasks-per-worker) need_int "$1" "${2-}"; tasks_per_worker=$2; shift 2 ;;
    --dispatch-mode) dispatch_mode="${2-}"; shift 2 ;;
    --java-opts) java_opts="${2-}"; [ -n "$java_opts" ] || die "--java-opts needs a value"; shift 2 ;;
    --jfr) jfr=1; shift ;;
    --home) home="$(cd "${2:?--home needs a directory}" && pwd)"; shift 2 ;;
    --label) label="${2-}"; [[ "$label" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label: letters, digits, . _ - only"; shift 2 ;;
    --keep) keep=1; shift ;;
    --status-poll-ms) need_int "$1" "${2-}"; status_poll_ms=$2; shift 2 ;;
    --setups) setups="${2-}"; [[ "$setups" =~ ^(h2|pg[1-9][0-9]?)(,(h2|pg[1-9][0-9]?))*$ ]] \
      || die "--setups: a comma-separated list of h2 and pgN (N instances on PostgreSQL), e.g. h2,pg1,pg2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done
[ "$runs" -ge 1 ] || die "--runs must be at least 1"
[ "$volunteers" -ge 1 ] && [ "$workers" -ge 1 ] || die "--volunteers and --workers must be at least 1"
if [ "$cold" = 1 ]; then
  warmup=0
  [ -n "${runs_given:-}" ] || runs=1
  [ -n "${latency_given:-}" ] || latency_jobs=0
  baseline_runs="${baseline_runs:-0}"
fi
if [ -n "$setups" ]; then
  [ "$db" = h2 ] && [ "$cold" = 0 ] && [ "$jfr" = 0 ] || die "--setups does not go with --db, --cold or --jfr"
  baseline_runs=0 latency_jobs=0
fi
baseline_runs="${baseline_runs:-$runs}"

kernel="$repo/examples/kernels/build/wasm/noop.wasm"
[ -f "$kernel" ] || make -s -C "$repo/examples/kernels" >&2
[ -f "$home/offload-server/target/surge.war" ] || die "no server build in $home; build it:
  mvn -q -pl offload-server -am package -DskipTests"
[ -d "$home/worker-runtime/node_modules/ws" ] || die "worker-runtime dependencies missing: npm ci --prefix $home/worker-runtime"

say() { echo "bench: $*" >&2; }
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$bench/results"
out="$bench/results/${stamp}${label:+-$label}.json"
tmp="$(mktemp -d /tmp/surge-bench.XXXXXX)"
server_pid="" pg_pid="" pg_dir=""
volunteer_pids=()
cluster_dirs=() # --setups: the local clusters started, stopped by local-cluster.sh at the end

# Stops what this script started, by pid, politely first.
stop_pid() { # pid seconds signal
  local pid=$1 wait=$2 sig=${3:-TERM}
  kill -0 "$pid" 2>/dev/null || return 0
  kill -"$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((wait * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  for pid in "${volunteer_pids[@]}"; do stop_pid "$pid" 12; done
  [ -n "$server_pid" ] && stop_pid "$server_pid" 30
  for d in "${cluster_dirs[@]}"; do SURGE_CLUSTER_DIR=$d "$home/deploy/cluster/local-cluster.sh" stop >&2 || true; done
  [ -n "$pg_pid" ] && stop_pid "$pg_pid" 30 INT
  if [ "$keep" = 1 ] || [ "$rc" != 0 ]; then
    say "logs and data kept in $tmp${pg_dir:+ and $pg_dir}"
  else
    rm -rf "$tmp"
    [ -n "$pg_dir" ] && rm -rf "$pg_dir"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# ---- optional PostgreSQL: a throwaway cluster, started and stopped by pid ----
start_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "PostgreSQL is not installed; trying apt-get install postgresql"
    apt-get install -y -q --no-install-recommends postgresql >"$tmp/apt.log" 2>&1 || true
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  fi
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    say "SKIPPED --db postgres: no PostgreSQL server (Debian package 'postgresql') is installed or installable here"
    exit 3
  fi
  # initdb and postgres refuse to run as root: run them as the postgres user when we are root.
  local as=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { say "SKIPPED --db postgres: running as root and there is no 'postgres' user"; exit 3; }
    as=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  fi
  pg_dir="$(mktemp -d /tmp/surge-bench-pg.XXXXXX)"
  chmod 755 "$pg_dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$pg_dir"
  local port
  port="$(free_port)"
  "${as[@]}" "$bin/initdb" -D "$pg_dir/data" -U surge -A trust -E UTF8 >"$pg_dir/initdb.log" 2>&1 \
    || { say "initdb failed, see $pg_dir/initdb.log"; exit 1; }
  # Durable as shipped: fsync and synchronous_commit stay on.
  "${as[@]}" "$bin/postgres" -D "$pg_dir/data" -p "$port" -k "$pg_dir" -c listen_addresses=127.0.0.1 \
    >"$pg_dir/postgres.log" 2>&1 &
  pg_pid=$!
  for _ in $(seq 1 100); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
    kill -0 "$pg_pid" 2>/dev/null || { say "postgres exited, see $pg_dir/postgres.log"; exit 1; }
    sleep 0.1
  done
  "${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U surge surge
  export SURGE_DB_URL="jdbc:postgresql://127.0.0.1:$port/surge" SURGE_DB_USER=surge SURGE_DB_PASSWORD=""
  pg_version="$("$bin/postgres" --version)"
  say "PostgreSQL ($pg_version) on port $port, pid $pg_pid"
}

# ---- what ran where: for the JSON ----
write_config() {
  BENCH_VOLUNTEERS=$volunteers BENCH_WORKERS=$workers BENCH_DB=$db BENCH_TPW="$tasks_per_worker" \
  BENCH_MODE="$dispatch_mode" BENCH_COLD="$cold" BENCH_JAVA_OPTS="$java_opts" BENCH_LABEL="$label" BENCH_HOME="$home" \
  BENCH_COMMIT="$(git -C "$home" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  BENCH_DIRTY="$(git -C "$home" status --porcelain --untracked-files=no -- offload-server worker-runtime policies 2>/dev/null | wc -l)" \
  BENCH_JAVA="$(java -version 2>&1 | head -1)" BENCH_PG="${pg_version:-}" BENCH_CMD="$cmdline" \
  BENCH_WAR="$(sha256sum "$home/offload-server/target/surge.war" | cut -c1-12) built $(date -u -r "$home/offload-server/target/surge.war" +%FT%TZ)" \
  node -e '
    const os = require("os"), fs = require("fs"), e = process.env;
    const cpu = (fs.readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) || [])[1];
    fs.writeFileSync(process.argv[1], JSON.stringify({
      command: e.BENCH_CMD, label: e.BENCH_LABEL || null, home: e.BENCH_HOME,
      commit: e.BENCH_COMMIT, uncommittedChangesInServerOrRuntime: Number(e.BENCH_DIRTY),
      // HEAD says what was checked out; the WAR may have been built from another state.
      war: e.BENCH_WAR,
      volunteers: Number(e.BENCH_VOLUNTEERS), workers: Number(e.BENCH_WORKERS), db: e.BENCH_DB,
      postgres: e.BENCH_PG || null, tasksPerWorker: e.BENCH_TPW ? Number(e.BENCH_TPW) : null,
      dispatchMode: e.BENCH_MODE || null, cold: e.BENCH_COLD === "1", javaOpts: e.BENCH_JAVA_OPTS || null,
      machine: { cores: os.cpus().length, cpu, memGiB: Math.round(os.totalmem() / 2 ** 30),
        kernel: os.release(), loadAtStart: os.loadavg(), java: e.BENCH_JAVA, node: process.version },
    }, null, 2));' "$tmp/config.json"
}

read -r load1 _ < /proc/loadavg
say "machine: $(nproc) cores, load $load1 now (other engineers share it; see docs/benchmarks.md)"

# 1. The local baseline first, while neither server nor volunteers compete for the cores.
if [ "$baseline_runs" -gt 0 ]; then
  say "local baseline: $baseline_runs x $tasks noop tasks in one Node process (inline, pool of 1, pool of $((volunteers * workers)))"
  node "$bench/throughput.mjs" baseline --runtime "$home/worker-runtime" --kernel "$kernel" \
    --tasks "$tasks" --runs "$baseline_runs" --workers $((volunteers * workers)) --out "$tmp/baseline.json"
fi

# The options that shape the server, for every instance this script starts.
server_env() {
  [ -n "$tasks_per_worker" ] && export SURGE_TASKS_PER_WORKER="$tasks_per_worker"
  [ -n "$dispatch_mode" ] && export SURGE_DISPATCH_MODE="$dispatch_mode"
  [ -n "$java_opts" ] && export SURGE_JAVA_OPTS="$java_opts"
  return 0
}
# The server, on a free port with a fresh data directory: launched, then awaited.
launch_server() {
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  mkdir -p "$tmp/data"
  (
    export SURGE_DATA_DIR="$tmp/data"
    server_env
    exec "$home/bin/surge-server" --port "$port"
  ) >"$tmp/server.log" 2>&1 &
  server_pid=$!
  say "server pid $server_pid on $url (db $db), waiting for /health"
  started=$SECONDS
  boot_t0=$(date +%s%3N)
}
await_server() {
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/health" || true)" = 200 ]; do
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$tmp/server.log" >&2; die "the server exited"; }
    [ $((SECONDS - started)) -lt 240 ] || { tail -20 "$tmp/server.log" >&2; die "no healthy server after 240 s"; }
    sleep 0.2
  done
  boot_ms=$(( $(date +%s%3N) - boot_t0 ))
  say "server healthy after $boot_ms ms"
}

if [ -n "$setups" ]; then
  . "$bench/lib/setups.sh"
  run_setups
  exit 0
fi

# 2. The server.
[ "$db" = postgres ] && start_postgres
write_config
launch_server
await_server

bench_volunteer_key "$url"
# 3. The volunteers.
for i in $(seq 1 "$volunteers"); do
  "$home/bin/surge-volunteer" --server "$url" --workers "$workers" --quiet >"$tmp/volunteer-$i.log" 2>&1 &
  volunteer_pids+=($!)
done
say "volunteer pids ${volunteer_pids[*]}"

# 4. Measure.
extra=()
[ "$jfr" = 1 ] && extra+=(--jfr "$bench/results/${stamp}${label:+-$label}.jfr")
[ "$baseline_runs" -gt 0 ] && extra+=(--baseline "$tmp/baseline.json")
[ -n "$pg_pid" ] && extra+=(--db-pid "$pg_pid")
[ "$cold" = 1 ] && extra+=(--cold)
extra+=(--boot-ms "$boot_ms")
node "$bench/throughput.mjs" measure --server "$url" --server-pid "$server_pid" \
  --volunteer-pids "$(IFS=,; echo "${volunteer_pids[*]}")" --kernel "$kernel" \
  --tasks "$tasks" --runs "$runs" --warmup-tasks "$warmup" --warmup-max-jobs "$warmup_max" \
  --latency-jobs "$latency_jobs" --latency-tasks "$latency_tasks" \
  --config "$tmp/config.json" --out "$out" "${extra[@]}"
say "results: ${out#"$repo"/}"
