# Sourced by bench/throughput.sh for --setups: starts every setup and its volunteers, then hands
# them to bench/throughput-setups.mjs. Uses throughput.sh's variables and functions (say, die,
# launch_server, await_server, server_env, write_config, volunteer_pids, cluster_dirs, tmp, home).

cluster_sh="$home/deploy/cluster/local-cluster.sh"
# One line per setup: name|url|health urls|server pids|volunteer pids|db pid|nginx pid|pg socket|pg port
setup_lines="$tmp/setups.txt"

# Volunteers counted by each of the given instance URLs, space-separated.
instance_counts() {
  local u v out=()
  for u in "$@"; do
    v=$(curl -s -m 5 "$u/health" | sed -n 's/.*"volunteers":\([0-9]*\).*/\1/p')
    out+=("${v:-0}")
  done
  echo "${out[*]}"
}
sum_of() { local n=0 c; for c in "$@"; do n=$((n + c)); done; echo "$n"; }

# Starts $volunteers volunteers on $1 (nginx or a server) with key $2, log prefix $3; the instance
# URLs after that: volunteer i must land on instance i mod N (nginx picks round robin; one that
# landed elsewhere is started again, at most 8 times). Adds their pids to volunteer_pids.
start_spread() {
  local server=$1 key=$2 prefix=$3
  shift 3
  local urls=("$@") n=$# i tries deadline pid landed j before after
  for ((i = 0; i < volunteers; i++)); do
    for ((tries = 1; ; tries++)); do
      read -r -a before <<<"$(instance_counts "${urls[@]}")"
      "$home/bin/surge-volunteer" --server "$server" --key "$key" --workers "$workers" --quiet \
        >>"$tmp/$prefix-volunteer-$i.log" 2>&1 &
      pid=$!
      volunteer_pids+=("$pid")
      deadline=$((SECONDS + 60))
      until [ "$(sum_of $(instance_counts "${urls[@]}"))" -gt "$i" ]; do
        kill -0 "$pid" 2>/dev/null || die "$prefix volunteer $i exited (log: $tmp/$prefix-volunteer-$i.log)"
        [ $SECONDS -lt $deadline ] || die "$prefix volunteer $i not counted within 60 s"
        sleep 0.2
      done
      read -r -a after <<<"$(instance_counts "${urls[@]}")"
      landed=-1
      for j in "${!after[@]}"; do [ "${after[$j]}" -gt "${before[$j]:-0}" ] && landed=$j; done
      if [ "$landed" = $((i % n)) ] || [ "$tries" -ge 8 ]; then break; fi
      kill -TERM "$pid"
      wait "$pid" 2>/dev/null || true
      unset 'volunteer_pids[-1]'
      deadline=$((SECONDS + 30))
      until [ "$(sum_of $(instance_counts "${urls[@]}"))" -le "$i" ]; do
        [ $SECONDS -lt $deadline ] || break
        sleep 0.2
      done
    done
  done
}

# Setup pgN: N clustered instances on one PostgreSQL behind nginx, in their own directory.
setup_cluster() { # name instances
  local name=$1 n=$2 dir="$tmp/cluster-$1" envs vals key pids urls_a
  mkdir -p "$dir"
  # The instances take the run's operator token (local-cluster.sh keeps it in admin-token).
  (umask 077 && printf '%s\n' "$SURGE_ADMIN_TOKEN" >"$dir/admin-token")
  cluster_dirs+=("$dir")
  say "$name: starting $n instance(s) on PostgreSQL behind nginx ($dir)"
  local t0=$SECONDS
  (
    unset SURGE_DB_URL SURGE_DB_USER SURGE_DB_PASSWORD SURGE_DATA_DIR SURGE_VOLUNTEER_KEY
    export SURGE_CLUSTER_DIR=$dir SURGE_CLUSTER=on
    export SURGE_CLUSTER_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_utility=on"
    server_env
    "$cluster_sh" start --instances "$n"
  ) >"$tmp/$name-start.log" 2>&1 || { tail -20 "$tmp/$name-start.log" >&2; die "$name: the cluster did not start"; }
  envs=$(SURGE_CLUSTER_DIR=$dir "$cluster_sh" env)
  vals=$(eval "$envs" && echo "$SURGE_SERVER|$SURGE_INSTANCE_URLS|$SURGE_INSTANCE_PIDS|$SURGE_POSTGRES_PID|$SURGE_NGINX_PID|$SURGE_CLUSTER_PG_SOCKET|${SURGE_CLUSTER_DB##*:}")
  local server urls ipids pgpid ngxpid sock pgport
  IFS='|' read -r server urls ipids pgpid ngxpid sock pgport <<<"$vals"
  pgport=${pgport%%/*}
  say "$name: up in $((SECONDS - t0)) s: $server, instance pids $ipids, postgres $pgpid, nginx $ngxpid"
  psql -X -q -h "$sock" -p "$pgport" -U surge -d surge -c "create extension if not exists pg_stat_statements" >&2
  key=$(bench_new_volunteer_key "$server" "bench volunteers" true)
  read -r -a urls_a <<<"$urls"
  local first=${#volunteer_pids[@]}
  start_spread "$server" "$key" "$name" "${urls_a[@]}"
  pids="${volunteer_pids[*]:$first}"
  say "$name: volunteers ${pids} per instance: $(instance_counts "${urls_a[@]}")"
  echo "$name|$server|$urls|$ipids|$pids|$pgpid|$ngxpid|$sock|$pgport" >>"$setup_lines"
}

run_setups() {
  local s has_h2=0 h2_line="" key pids
  # PostgreSQL runs as the postgres user (it refuses root): it must reach its directory in $tmp.
  chmod 755 "$tmp"
  db=setups
  write_config
  IFS=, read -r -a setup_list <<<"$setups"
  for s in "${setup_list[@]}"; do [ "$s" = h2 ] && has_h2=1; done
  # The H2 server boots while the clusters start.
  [ "$has_h2" = 1 ] && launch_server
  for s in "${setup_list[@]}"; do
    [ "$s" = h2 ] || setup_cluster "$s" "${s#pg}"
  done
  if [ "$has_h2" = 1 ]; then
    started=$SECONDS
    await_server
    key=$(bench_new_volunteer_key "$url" "bench volunteers" true)
    local first=${#volunteer_pids[@]}
    start_spread "$url" "$key" h2 "$url"
    pids="${volunteer_pids[*]:$first}"
    h2_line="h2|$url|$url|$server_pid|$pids|||"
  fi
  # The setups in the order given.
  local ordered="$tmp/setups-ordered.txt"
  : >"$ordered"
  for s in "${setup_list[@]}"; do
    if [ "$s" = h2 ]; then echo "$h2_line" >>"$ordered"; else grep "^$s|" "$setup_lines" >>"$ordered"; fi
  done
  node -e '
    const fs = require("fs");
    const list = (s) => s.split(" ").filter(Boolean);
    const out = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => {
      const [name, url, health, servers, vols, db, nginx, socket, port] = l.split("|");
      return { name, url, healthUrls: list(health), serverPids: list(servers).map(Number),
        volunteerPids: list(vols).map(Number), dbPid: db ? Number(db) : null,
        nginxPid: nginx ? Number(nginx) : null, pg: socket ? { socket, port: Number(port) } : null };
    });
    fs.writeFileSync(process.argv[2], JSON.stringify(out, null, 2));' "$ordered" "$tmp/setups.json"
  read -r load1 _ </proc/loadavg
  say "all setups up ($setups), load $load1; measuring"
  node "$bench/throughput-setups.mjs" --setups "$tmp/setups.json" --kernel "$kernel" \
    --tasks "$tasks" --runs "$runs" --warmup-tasks "$warmup" --warmup-max-jobs "$warmup_max" \
    --latency-tasks "$latency_tasks" --status-poll-ms "$status_poll_ms" --config "$tmp/config.json" --out "$out"
  say "results: ${out#"$repo"/}"
}
