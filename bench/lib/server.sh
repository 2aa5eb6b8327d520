# Sourced by bench scripts: a throwaway Surge server on a free port, stopped by its pid.
#
#   bench_free_port                        prints a free TCP port on 127.0.0.1
#   bench_start_server HOME DIR LOG        starts HOME/bin/surge-server with SURGE_DATA_DIR=DIR
#                                          (the caller exports any other SURGE_* first), waits
#                                          up to BENCH_HEALTH_TIMEOUT s (240) for /health; sets
#                                          BENCH_SERVER_PID, BENCH_SERVER_URL, BENCH_BOOT_MS
#   bench_stop_pid PID SECONDS             TERM, then KILL after SECONDS
# Needs bench/lib/credentials.sh's bench_operator_token to have run (the server's first token).

bench_free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

bench_stop_pid() {
  kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  local _
  for _ in $(seq 1 $(($2 * 10))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}

bench_start_server() {
  local home=$1 dir=$2 log=$3 port t0 started
  port="$(bench_free_port)"
  mkdir -p "$dir"
  (export SURGE_DATA_DIR="$dir"; exec "$home/bin/surge-server" --port "$port") >"$log" 2>&1 &
  BENCH_SERVER_PID=$!
  BENCH_SERVER_URL="http://127.0.0.1:$port"
  t0=$(date +%s%3N)
  started=$SECONDS
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$BENCH_SERVER_URL/health" || true)" = 200 ]; do
    if ! kill -0 "$BENCH_SERVER_PID" 2>/dev/null; then
      tail -20 "$log" >&2
      echo "bench: the server exited (log: $log)" >&2
      return 1
    fi
    if [ $((SECONDS - started)) -ge "${BENCH_HEALTH_TIMEOUT:-240}" ]; then
      tail -20 "$log" >&2
      echo "bench: no healthy server after ${BENCH_HEALTH_TIMEOUT:-240} s (log: $log)" >&2
      return 1
    fi
    sleep 0.2
  done
  BENCH_BOOT_MS=$(($(date +%s%3N) - t0))
}
