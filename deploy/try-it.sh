#!/usr/bin/env bash
# Tries Surge on this machine: installs what is missing, builds, starts the server (H2 database
# under .surge/try-it) and two headless volunteers, runs the Monte Carlo and Mandelbrot examples
# through the surge CLI and prints each merged result next to the native build's.
#   deploy/try-it.sh [--port N]     start everything and run the examples (default port 8080)
#   deploy/try-it.sh stop           stop the server and volunteers it started
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
state="$here/.surge/try-it"
pids="$state/pids"

stop() {
  if [ -f "$pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$pids"
    rm -f "$pids"
    echo "try-it: stopped the server and volunteers"
  fi
}

port=8080
case "${1:-}" in
  stop) stop; exit 0 ;;
  --port) port="${2:?--port needs a number}" ;;
  --port=*) port="${1#--port=}" ;;
  "") ;;
  *) echo "try-it: unknown argument '$1' (use --port N or stop)" >&2; exit 2 ;;
esac

stop >/dev/null
deploy/install-deps.sh
echo "try-it: building (mvn package, tests skipped; deploy/test.sh runs them)..."
mvn -q -B -ntp package -DskipTests

mkdir -p "$state"
server="http://localhost:$port"
if curl -s -o /dev/null "$server/health"; then
  echo "try-it: something already answers on port $port; choose another with --port N" >&2
  exit 1
fi
echo "try-it: starting the Surge server on $server (log: $state/server.log)"
SURGE_DATA_DIR="$state/data" bin/surge-server --port "$port" > "$state/server.log" 2>&1 &
echo $! >> "$pids"
for _ in $(seq 1 120); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$server/health")" = 200 ] && break
  sleep 1
done
if [ "$(curl -s -o /dev/null -w '%{http_code}' "$server/health")" != 200 ]; then
  echo "try-it: the server did not become healthy in 120 s; see $state/server.log" >&2
  stop
  exit 1
fi
for n in 1 2; do
  bin/surge-volunteer --server "$server" --workers 1 > "$state/volunteer-$n.log" 2>&1 &
  echo $! >> "$pids"
done
echo "try-it: two headless volunteers connected (logs: $state/volunteer-*.log)"

export SURGE_SERVER="$server"
k=examples/kernels/build/wasm
native=examples/kernels/build/native
status=0

echo
echo "== Monte Carlo pi: 16 tasks x 2,000,000 samples, merged by sum =="
volunteers=$(bin/surge submit --kernel "$k/montecarlo.wasm" --tasks 16 --arg 2000000 --merge sum --wait)
expected=$("$native/montecarlo-whole" 16 2000000)
printf '  volunteers: %s\n  native:     %s\n' "$volunteers" "$expected"
if [ "$volunteers" = "$expected" ]; then echo "  identical"; else echo "  DIFFERENT"; status=1; fi
pi=$(bin/surge submit --kernel "$k/montecarlo.wasm" --tasks 16 --arg 2000000 \
  --merge "reduce:$k/pi-reduce.wasm" --wait)
echo "  reduced on the server by pi-reduce.wasm: $pi"

echo
echo "== Mandelbrot 400x300: 12 bands of rows, merged by concat into a PGM image =="
bin/surge submit --kernel "$k/mandelbrot.wasm" --tasks 12 --merge concat \
  --output "$state/mandelbrot.pgm" --wait
"$native/mandelbrot-whole" 12 > "$state/mandelbrot-native.pgm"
printf '  volunteers: %s  %s\n' "$(sha256sum < "$state/mandelbrot.pgm" | cut -c1-16)" "$state/mandelbrot.pgm"
printf '  native:     %s  %s\n' "$(sha256sum < "$state/mandelbrot-native.pgm" | cut -c1-16)" "$state/mandelbrot-native.pgm"
if cmp -s "$state/mandelbrot.pgm" "$state/mandelbrot-native.pgm"; then echo "  identical"; else echo "  DIFFERENT"; status=1; fi

echo
echo "try-it: the Surge server runs at $server (REST API under /api, OpenAPI at /openapi,"
echo "        /health, /metrics); volunteers connect to ws://localhost:$port/volunteer."
echo "        Try: SURGE_SERVER=$server bin/surge submit --kernel $k/montecarlo.wasm --tasks 64 --arg 1000000 --merge sum --wait"
echo "        Stop everything with: deploy/try-it.sh stop"
exit $status
