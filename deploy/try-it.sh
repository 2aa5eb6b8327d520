#!/usr/bin/env bash
# Tries Surge on this machine: installs what is missing, builds, starts the local Slurm cluster
# (deploy/slurm/local-cluster.sh: partitions batch and volunteer), the server (H2 database under
# .surge/try-it) and two headless volunteers. Then the main job: `sbatch -p volunteer` of the
# sample job examples/jobs/pi.sh, whose output file is compared with the same script run natively
# with `sbatch -p batch`; then the Mandelbrot job the same way, and a reducer through the surge CLI.
# It also serves the demo site (examples/site: a page embedding the consent banner) on port N+1 and
# prints its address and the admin dashboard's, with the dashboard's password (generated, shown once).
# Credentials, the documented way: the operator token the server writes on its first start
# ($SURGE_DATA_DIR/admin-token) approves the sample kernels and makes the volunteers' key; the Slurm
# jobs and the CLI prove who they are with MUNGE (the local cluster's munged, SURGE_MUNGE_SOCKET).
#   deploy/try-it.sh [--port N]     start everything and run the examples (default port 8080)
#   deploy/try-it.sh stop           stop the server, volunteers and the Slurm cluster it started
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
state="$here/.surge/try-it"
pids="$state/pids"

export SURGE_SLURM_DIR="$state/slurm"
cluster="$here/deploy/slurm/local-cluster.sh"

stop() {
  if [ -f "$pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$pids"
    rm -f "$pids"
    echo "try-it: stopped the server, the volunteers and the demo site"
  fi
  if [ -f "$SURGE_SLURM_DIR/slurm.conf" ]; then
    "$cluster" stop
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
site_port=$((port + 1))
site="http://localhost:$site_port"
if curl -s -o /dev/null "$site/"; then
  echo "try-it: something already answers on port $site_port (the demo site's); choose another with --port N" >&2
  exit 1
fi
admin_password="${SURGE_ADMIN_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}"
echo "try-it: starting the Surge server on $server (log: $state/server.log)"
# The server decodes MUNGE credentials with the local cluster's munged (started below).
export SURGE_MUNGE_SOCKET="$SURGE_SLURM_DIR/munge/run/munge.socket"
SURGE_DATA_DIR="$state/data" SURGE_ALLOWED_ORIGINS="$site" SURGE_ADMIN_PASSWORD="$admin_password" \
  bin/surge-server --port "$port" > "$state/server.log" 2>&1 &
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
export SURGE_SERVER="$server"
# The operator's first credential: written by the server on its first start, mode 0600 (README,
# "First credential"). Only the admin commands get it; everything else proves itself with MUNGE.
admin_token="$state/data/admin-token"
if [ ! -s "$admin_token" ]; then
  echo "try-it: the server wrote no $admin_token; see $state/server.log" >&2
  stop
  exit 1
fi
admin() { SURGE_TOKEN="$(cat "$admin_token")" bin/surge admin "$@"; }
for kernel in examples/kernels/build/wasm/*.wasm; do
  admin kernel approve "$kernel" --note "try-it sample $(basename "$kernel")" >/dev/null
done
echo "try-it: approved the sample kernels (bin/surge admin kernel list)"
# The volunteers are this machine, the centre's own: a trusted key.
volunteer_key=$(admin volunteer-key create --trusted --name try-it-volunteers 2>/dev/null || true)
if [ -z "$volunteer_key" ]; then
  echo "try-it: could not make a volunteer key with $admin_token; see $state/server.log" >&2
  stop
  exit 1
fi
for n in 1 2; do
  # The key through the environment, not the command line: ps shows arguments to every user.
  SURGE_VOLUNTEER_KEY="$volunteer_key" \
    bin/surge-volunteer --server "$server" --workers 1 > "$state/volunteer-$n.log" 2>&1 &
  echo $! >> "$pids"
done
# And two strangers: untrusted keys, one each, so that they are two identities whose results the
# server verifies (docs/verification.md): replicated to others, spot-checked, never just believed.
for n in 3 4; do
  public_key=$(admin volunteer-key create --name "try-it-stranger-$n" 2>/dev/null || true)
  if [ -z "$public_key" ]; then
    echo "try-it: could not make an untrusted volunteer key; see $state/server.log" >&2
    stop
    exit 1
  fi
  SURGE_VOLUNTEER_KEY="$public_key" \
    bin/surge-volunteer --server "$server" --workers 1 > "$state/volunteer-$n.log" 2>&1 &
  echo $! >> "$pids"
done
echo "try-it: four headless volunteers connected, two trusted and two strangers whose results are"
echo "        verified (logs: $state/volunteer-*.log)"
node examples/site/serve.mjs --server "$server" --port "$site_port" > "$state/site.log" 2>&1 &
echo $! >> "$pids"

echo "try-it: starting the local Slurm cluster (files in $SURGE_SLURM_DIR)"
"$cluster" start
eval "$("$cluster" env)"

# Jobs inherit the submitting shell's environment: surge on the PATH, SURGE_SERVER, and
# SURGE_MUNGE_SOCKET (from the cluster's env), with which surge offload makes its MUNGE credential.
export PATH="$here/bin:$PATH"
k=examples/kernels/build/wasm
native=examples/kernels/build/native
jobs=examples/jobs
status=0

# Waits for a Slurm job to end, printing its Comment (surge done/total) as it changes.
watch_job() {
  local id=$1 last="" line state comment
  while :; do
    line=$(scontrol show job -o "$id" 2>/dev/null || true)
    state=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$line")
    comment=$(sed -n 's/.* Comment=\(.*\) StdErr=.*/\1/p' <<<"$line")
    if [ -n "$comment" ] && [ "$comment" != "$last" ] && [ "$comment" != "(null)" ]; then
      printf '  %s %s  squeue comment: %s\n' "$id" "$state" "$comment"
      last=$comment
    fi
    case "$state" in PENDING | CONFIGURING | RUNNING | COMPLETING | "") sleep 0.5 ;; *) break ;; esac
  done
  printf '  %s ended %s, %s\n' "$id" "$state" "$(grep -o 'ExitCode=[0-9:]*' <<<"$line")"
  [ "$state" = COMPLETED ]
}

echo
echo "== The main job: sbatch -p volunteer examples/jobs/pi.sh (Monte Carlo pi, 720 tasks) =="
vol=$(cd "$jobs" && sbatch --parsable -p volunteer pi.sh)
watch_job "$vol" || status=1
bat=$(cd "$jobs" && sbatch --parsable -p batch pi.sh)
echo "  and natively: sbatch -p batch pi.sh -> job $bat"
watch_job "$bat" || status=1
printf '  volunteers (%s):  %s\n  native (%s):      %s\n' "$jobs/pi-$vol.out" \
  "$(tail -n 1 "$jobs/pi-$vol.out")" "$jobs/pi-$bat.out" "$(tail -n 1 "$jobs/pi-$bat.out")"
if [ "$(tail -n 1 "$jobs/pi-$vol.out")" = "$(tail -n 1 "$jobs/pi-$bat.out")" ]; then
  echo "  identical"
else
  echo "  DIFFERENT"
  status=1
fi

echo
echo "== Mandelbrot 1200x900 in 30 bands: sbatch -p volunteer examples/jobs/mandelbrot.sh =="
vol=$(cd "$jobs" && sbatch --parsable -p volunteer mandelbrot.sh)
watch_job "$vol" || status=1
bat=$(cd "$jobs" && sbatch --parsable -p batch mandelbrot.sh)
watch_job "$bat" || status=1
for id in "$vol" "$bat"; do
  printf '  %s  %s\n' "$(sha256sum < "$jobs/mandelbrot-$id.pgm" | cut -c1-16)" "$jobs/mandelbrot-$id.pgm"
done
if cmp -s "$jobs/mandelbrot-$vol.pgm" "$jobs/mandelbrot-$bat.pgm"; then echo "  identical"; else echo "  DIFFERENT"; status=1; fi

echo
echo "== Without Slurm: the surge CLI, Monte Carlo reduced to pi on the server by pi-reduce.wasm =="
pi=$(bin/surge submit --kernel "$k/montecarlo.wasm" --tasks 16 --arg 2000000 \
  --merge "reduce:$k/pi-reduce.wasm" --wait)
echo "  $pi"

echo
echo "try-it: the Surge server runs at $server (REST API under /api, OpenAPI at /openapi,"
echo "        /health, /metrics); volunteers connect to ws://localhost:$port/volunteer."
echo "        Slurm: export SLURM_CONF=$SLURM_CONF PATH=$here/bin:\$PATH SURGE_SERVER=$server"
echo "               SURGE_MUNGE_SOCKET=$SURGE_MUNGE_SOCKET  (surge then authenticates with MUNGE)"
echo "        then: cd $jobs && sbatch -p volunteer array.sh; squeue -o '%i %P %T %k'"
echo "        The operator token (for bin/surge admin ...): export SURGE_TOKEN=\$(cat $admin_token)"
echo "        The demo site, a page that embeds the consent banner: $site/"
echo "        The admin dashboard: $server/admin/ (password: $admin_password)"
echo "        Off the cluster, a user token: bin/surge admin token create --user NAME --role user"
echo "        Stop everything with: deploy/try-it.sh stop"
exit $status
