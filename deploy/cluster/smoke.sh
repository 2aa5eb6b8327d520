#!/usr/bin/env bash
# Test of the local Surge cluster (deploy/cluster/local-cluster.sh) on the real pieces: PostgreSQL
# 15, two Payara Micro instances, nginx, a headless Node volunteer. In its own directory
# (${SURGE_CLUSTER_DIR:-<repo>/.surge/cluster-smoke}, made afresh, so a developer's cluster in
# .surge/cluster is left alone) it checks:
#   - start with 2 instances; a second start says it already runs; bad arguments are refused;
#   - /health answers 200 through nginx, and an instance's own port answers on loopback;
#   - a volunteer (bin/surge-volunteer, with a key made through nginx) connects through nginx;
#   - SIGKILL of the instance it is connected to: the volunteer reconnects through nginx to the
#     live one (prints how long it took); /health and the REST API through nginx keep answering,
#     and a POST through nginx creates exactly one volunteer key;
#   - status and env show the dead instance; a second start brings back only it;
#   - stop leaves no process of the cluster and frees every port.
# Prints "N passed, M failed" and exits non-zero when something failed. SURGE_SMOKE_KEEP=1 leaves
# the cluster running afterwards. The instances run with SURGE_CLUSTER=on (local-cluster.sh); jobs
# across instances are ClusterIT's and bench/cluster-faults.sh's.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export SURGE_CLUSTER_DIR=${SURGE_CLUSTER_DIR:-$ROOT/.surge/cluster-smoke}
CLUSTER=$ROOT/deploy/cluster/local-cluster.sh
RECONNECT_LIMIT=30 # seconds for the volunteer to be counted by the live instance

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

volunteer_pid=""
all_pids=()
t_all=$(now)
finish() {
  local rc=$?
  [[ -n "$volunteer_pid" ]] && kill -TERM "$volunteer_pid" 2>/dev/null && wait "$volunteer_pid" 2>/dev/null
  if [[ "${SURGE_SMOKE_KEEP:-0}" != 1 ]]; then
    "$CLUSTER" stop || rc=1
    local left="" p
    for p in "${all_pids[@]}"; do [[ -e /proc/$p ]] && left+=" $p"; done
    left+=$(pgrep -f -- "$SURGE_CLUSTER_DIR/" | tr '\n' ' ' || true)
    local port
    if [[ -s "$SURGE_CLUSTER_DIR/ports.env" ]]; then
      # shellcheck disable=SC1091
      source "$SURGE_CLUSTER_DIR/ports.env"
      for port in "$PG_PORT" "$NGINX_PORT" "${INSTANCE_PORTS[@]}"; do
        ss -Htln "sport = :$port" | grep -q . && left+=" (port $port still listened on)"
      done
    fi
    if [[ -n "${left// /}" ]]; then
      echo "FAIL processes of the cluster left after stop:$left"
      failed=$((failed + 1))
    else
      echo "ok   stop leaves no process of the cluster and frees its ports"
      passed=$((passed + 1))
    fi
  fi
  echo "$passed passed, $failed failed ($(since "$t_all") s)"
  ((failed == 0 && rc == 0)) || exit 1
}
trap finish EXIT

http_code() { curl -s -o /dev/null -m 10 -w '%{http_code}' "$@" || true; }
volunteers_at() { curl -s -m 5 "$1/health" | sed -n 's/.*"volunteers":\([0-9]*\).*/\1/p'; }

# --- 1. start, a second start, bad arguments ----------------------------------------------------
"$CLUSTER" stop >/dev/null 2>&1 || true
rm -rf "$SURGE_CLUSTER_DIR"
t0=$(now)
"$CLUSTER" start --instances 2
start_s=$(since "$t0")
eval "$("$CLUSTER" env)"
read -r -a pids <<<"$SURGE_INSTANCE_PIDS"
read -r -a urls <<<"$SURGE_INSTANCE_URLS"
all_pids=("${pids[@]}" "$SURGE_NGINX_PID" "$SURGE_POSTGRES_PID")
if ((${#pids[@]} == 2)) && [[ "${pids[*]}" =~ ^[0-9]+\ [0-9]+$ ]]; then
  ok "start with 2 instances in $start_s s (pids ${pids[*]}, nginx at $SURGE_SERVER)"
else
  bad "start: SURGE_INSTANCE_PIDS='$SURGE_INSTANCE_PIDS'"
fi
out=$("$CLUSTER" start 2>&1) || true
if [[ "$out" == *"already running"* ]]; then ok "a second start says: ${out#local-cluster: }"; else bad "a second start: $out"; fi
# Refused: another count while it runs, a count that is not a number.
refused() { # expected-text args...
  local want=$1 out rc=0
  shift
  out=$("$CLUSTER" "$@" 2>&1) || rc=$?
  if ((rc != 0)) && [[ "$out" == *"$want"* ]]; then
    out=${out%%$'\n'*}
    ok "$* is refused (exit $rc): ${out#local-cluster: error: }"
  else
    bad "$* (exit $rc): $out"
  fi
}
refused "runs with 2 instance(s)" start --instances 3
refused "whole number" start --instances x
refused "unknown command" restart

# --- 2. /health through nginx and on the instances ---------------------------------------------
code=$(http_code "$SURGE_SERVER/health")
[[ "$code" == 200 ]] && ok "/health through nginx answers 200" || bad "/health through nginx answered $code"
for u in "${urls[@]}"; do
  code=$(http_code "$u/health")
  [[ "$code" == 200 ]] || bad "$u/health answered $code"
done
token=$(cat "$SURGE_ADMIN_TOKEN_FILE")
auth=(-H "Authorization: Bearer $token")
code=$(http_code "${auth[@]}" "$SURGE_SERVER/api/jobs")
[[ "$code" == 200 ]] && ok "GET /api/jobs with the cluster's operator token through nginx answers 200" || bad "GET /api/jobs answered $code"

# --- 3. a volunteer through nginx ---------------------------------------------------------------
keys_count() { curl -s -m 10 "${auth[@]}" "$SURGE_SERVER/api/admin/volunteer-keys" | grep -o '"id"' | wc -l; }
key=$(curl -s -m 10 "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"smoke","trusted":true}' \
  "$SURGE_SERVER/api/admin/volunteer-keys" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
[[ -n "$key" ]] || {
  bad "no volunteer key made through nginx"
  exit 1
}
"$ROOT/bin/surge-volunteer" --server "$SURGE_SERVER" --key "$key" --workers 1 \
  >"$SURGE_CLUSTER_DIR/volunteer.log" 2>&1 &
volunteer_pid=$!
victim=""
deadline=$((SECONDS + 30))
while [[ -z "$victim" ]] && ((SECONDS < deadline)); do
  for i in 0 1; do [[ "$(volunteers_at "${urls[$i]}")" == 1 ]] && victim=$i; done
  sleep 0.2
done
if [[ -z "$victim" ]]; then
  bad "the volunteer was counted by no instance within 30 s"
  cat "$SURGE_CLUSTER_DIR/volunteer.log"
  exit 1
fi
survivor=$((1 - victim))
ok "the volunteer connected through nginx to instance $((victim + 1)) (${urls[$victim]})"

# --- 4. SIGKILL that instance -------------------------------------------------------------------
t0=$(now)
kill -KILL "${pids[$victim]}"
reconnected=""
deadline=$((SECONDS + RECONNECT_LIMIT))
while ((SECONDS < deadline)); do
  if [[ "$(volunteers_at "${urls[$survivor]}")" == 1 ]]; then
    reconnected=$(since "$t0")
    break
  fi
  sleep 0.1
done
if [[ -n "$reconnected" ]] && kill -0 "$volunteer_pid" 2>/dev/null; then
  ok "after SIGKILL of instance $((victim + 1)) the volunteer reconnected through nginx to instance $((survivor + 1)) in $reconnected s"
else
  bad "the volunteer did not reach instance $((survivor + 1)) within ${RECONNECT_LIMIT} s of the SIGKILL"
  tail -n 20 "$SURGE_CLUSTER_DIR/volunteer.log"
fi
n200=0
for _ in $(seq 1 10); do [[ "$(http_code "$SURGE_SERVER/health")" == 200 ]] && n200=$((n200 + 1)); done
((n200 == 10)) && ok "10 of 10 GET /health through nginx answer 200 with one instance dead" ||
  bad "$n200 of 10 GET /health through nginx answered 200 with one instance dead"
n200=0
for _ in $(seq 1 5); do [[ "$(http_code "${auth[@]}" "$SURGE_SERVER/api/jobs")" == 200 ]] && n200=$((n200 + 1)); done
((n200 == 5)) && ok "5 of 5 GET /api/jobs through nginx answer 200 with one instance dead" ||
  bad "$n200 of 5 GET /api/jobs through nginx answered 200 with one instance dead"
before=$(keys_count)
for i in 1 2 3 4; do
  code=$(http_code "${auth[@]}" -H 'Content-Type: application/json' -d "{\"name\":\"after-kill-$i\"}" \
    "$SURGE_SERVER/api/admin/volunteer-keys")
  [[ "$code" == 201 || "$code" == 200 ]] || bad "POST /api/admin/volunteer-keys $i through nginx answered $code"
done
after=$(keys_count)
((after == before + 4)) && ok "4 POSTs through nginx with one instance dead made exactly 4 keys ($before -> $after)" ||
  bad "4 POSTs through nginx made $((after - before)) keys ($before -> $after)"

# --- 5. status, env and a second start after the fault -----------------------------------------
rc=0
"$CLUSTER" status >"$SURGE_CLUSTER_DIR/status.txt" || rc=$?
if ((rc == 1)) && grep -qE "^instance-$((victim + 1)) +stopped" "$SURGE_CLUSTER_DIR/status.txt"; then
  ok "status exits 1 and names instance $((victim + 1)) stopped"
else
  bad "status after the kill (exit $rc): $(cat "$SURGE_CLUSTER_DIR/status.txt")"
fi
eval "$("$CLUSTER" env)"
read -r -a pids_now <<<"$SURGE_INSTANCE_PIDS"
[[ "${pids_now[$victim]}" == - && "${pids_now[$survivor]}" == "${pids[$survivor]}" ]] &&
  ok "env shows '-' for the dead instance: SURGE_INSTANCE_PIDS=\"$SURGE_INSTANCE_PIDS\"" ||
  bad "env after the kill: SURGE_INSTANCE_PIDS=\"$SURGE_INSTANCE_PIDS\""
t0=$(now)
out=$("$CLUSTER" start 2>&1) || true
eval "$("$CLUSTER" env)"
read -r -a pids_now <<<"$SURGE_INSTANCE_PIDS"
all_pids+=("${pids_now[@]}")
if [[ "$out" == *"started instance-$((victim + 1)) in"* && "${pids_now[$survivor]}" == "${pids[$survivor]}" &&
  "$(http_code "${urls[$victim]}/health")" == 200 ]]; then
  ok "a second start brought back only instance $((victim + 1)) in $(since "$t0") s"
else
  bad "a second start after the kill: $out"
fi
