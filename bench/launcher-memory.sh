#!/usr/bin/env bash
# Resident memory of N waiting `surge offload` launchers, the JVM waiter against surge-wait.
#
#   bench/launcher-memory.sh [N]        (default 100; docs/benchmarks/launcher.md has the figures)
#
# Starts a real server (bin/surge-server, H2, its own data directory and port) with no volunteer;
# jobs of 100 noop tasks with --verify=none (so the server computes no spot checks) stay queued.
# For each waiter (SURGE_OFFLOAD_WAITER=jvm: the whole wait in the JVM, as before; then
# surge-wait, the default), starts N `bin/surge offload job.sh` in batches
# of 10, waits until all N have submitted and settled, and sums the resident memory (VmRSS) over
# every launcher's process tree (ps), three samples 2 s apart. Then it sends SIGTERM to every launcher,
# as scancel does, and checks that each exited 143 and that its job is cancelled on the server.
# Prints one JSON line per waiter. Needs the built server and bridge (mvn -q package -DskipTests).
set -euo pipefail

N=${1:-100}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/launcher-memory.XXXXXX")
PORT=${SURGE_BENCH_PORT:-$((20000 + RANDOM % 20000))}
TOKEN=surge_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n') # the operator token's format
SERVER_PID=

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap 'stop_server; [ -n "${SURGE_BENCH_KEEP:-}" ] || rm -rf "$WORK"' EXIT

for f in "$ROOT/slurm-bridge/target/surge.jar" "$ROOT/slurm-bridge/target/surge-wait" \
  "$ROOT/offload-server/target/surge.war" "$ROOT/examples/kernels/build/wasm/noop.wasm"; do
  [ -e "$f" ] || { echo "launcher-memory: $f is missing; build first (mvn -q package -DskipTests, make -C examples/kernels)" >&2; exit 1; }
done

SURGE_DATA_DIR="$WORK/server" SURGE_ADMIN_TOKEN="$TOKEN" SURGE_KERNEL_POLICY=any-user \
  "$ROOT/bin/surge-server" --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
export SURGE_SERVER="http://127.0.0.1:$PORT" SURGE_TOKEN="$TOKEN"
# An application endpoint: Payara answers before (and after a failed) deployment.
for _ in $(seq 600); do
  curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$SURGE_SERVER/api/jobs" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$WORK/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$SURGE_SERVER/api/jobs" || {
  grep -m3 SEVERE "$WORK/server.log" >&2
  exit 1
}

cp "$ROOT/examples/kernels/build/wasm/noop.wasm" "$WORK/noop.wasm"
# Uploaded once up front: the first uploads of one kernel at the same moment can race on the
# server (seen here: 500, a unique-key violation in H2), which is not what this measures.
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/wasm" \
  --data-binary @"$WORK/noop.wasm" "$SURGE_SERVER/api/kernels"
cat >"$WORK/job.sh" <<'EOF'
#!/bin/bash
#OFFLOAD --kernel=noop.wasm --tasks=100 --deadline=1h --verify=none
exec surge offload "$0"
EOF

# Sum of VmRSS (kB) over the process trees of the given PIDs, from one ps listing (ps's RSS is
# /proc/PID/status's VmRSS); one fork per sample, so that 100 trees are summed in a moment.
trees_pids() {
  ps -e -o pid=,ppid= | awk -v roots="$*" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) inside[r[i]] = 1 }
    { pid[NR] = $1; parent[NR] = $2 }
    END {
      do { grew = 0
        for (i = 1; i <= NR; i++) if (!(pid[i] in inside) && (parent[i] in inside)) { inside[pid[i]] = 1; grew = 1 }
      } while (grew)
      for (i = 1; i <= NR; i++) if (pid[i] in inside) print pid[i]
    }'
}

# Sum of RssAnon (kB): the trees' private resident memory, what they add to the node; shared
# library pages (most of VmRSS for a small C program on libcurl) are mapped once for all of them.
trees_private() {
  local p total=0 kb
  for p in $(trees_pids "$@"); do
    kb=$(awk '/^RssAnon:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}

trees_rss() {
  ps -e -o pid=,ppid=,rss= | awk -v roots="$*" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) inside[r[i]] = 1 }
    { pid[NR] = $1; parent[NR] = $2; rss[NR] = $3 }
    END {
      do { grew = 0
        for (i = 1; i <= NR; i++) if (!(pid[i] in inside) && (parent[i] in inside)) { inside[pid[i]] = 1; grew = 1 }
      } while (grew)
      for (i = 1; i <= NR; i++) if (pid[i] in inside) total += rss[i]
      print total + 0
    }'
}

run() {
  local waiter=$1 dir="$WORK/$1" pids=() i b start
  mkdir -p "$dir"
  start=$(date +%s.%N)
  for ((i = 0; i < N; i++)); do
    (cd "$WORK" && SURGE_OFFLOAD_WAITER=$waiter exec "$ROOT/bin/surge" offload job.sh \
      >"$dir/$i.out" 2>"$dir/$i.err") &
    pids+=($!)
    if (((i + 1) % 10 == 0)); then # a batch of 10 submits before the next starts
      for ((b = i - 9; b <= i; b++)); do
        until grep -q "submitted to" "$dir/$b.err" 2>/dev/null; do
          kill -0 "${pids[$b]}" 2>/dev/null || { cat "$dir/$b.err" >&2; exit 1; }
          sleep 0.1
        done
      done
    fi
  done
  local submitted
  submitted=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  sleep 5 # every submitting JVM has exited (surge-wait) or settled (jvm)
  local samples=() private=() s total
  for s in 1 2 3; do
    samples+=("$(trees_rss "${pids[@]}")")
    private+=("$(trees_private "${pids[@]}")")
    sleep 2
  done
  # SIGTERM every launcher, as scancel does; each must cancel its job and exit 143.
  local bad=0 rc
  for i in "${!pids[@]}"; do kill -TERM "${pids[$i]}"; done
  for i in "${!pids[@]}"; do
    rc=0
    wait "${pids[$i]}" || rc=$?
    if [ "$rc" != 143 ] || ! grep -q "interrupted; cancelled job" "$dir/$i.err"; then
      bad=$((bad + 1))
      echo "launcher-memory: launcher $i ($waiter) exited $rc: $(tail -2 "$dir/$i.err")" >&2
    fi
  done
  local queued
  queued=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$SURGE_SERVER/api/jobs?state=QUEUED&limit=1000" |
    grep -o '"id"' | wc -l || true)
  printf '{"waiter":"%s","launchers":%d,"rss_kb":[%s],"per_launcher_kb":%d,"private_kb":[%s],"private_per_launcher_kb":%d,"submit_all_s":%s,"not_143_or_not_cancelled":%d,"still_queued_on_server":%d}\n' \
    "$waiter" "$N" "$(IFS=,; echo "${samples[*]}")" $((samples[2] / N)) "$(IFS=,; echo "${private[*]}")" $((private[2] / N)) "$submitted" "$bad" "$queued"
}

run jvm
run surge-wait
