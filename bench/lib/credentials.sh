# Sourced by the bench scripts: every call to the server needs a credential (docs/api.md,
# "Authentication"). The bench server is given its operator token up front (SURGE_ADMIN_TOKEN),
# which the CLI and bench/lib/api.mjs send (SURGE_TOKEN); its volunteers get a key made with it.

# Before the server starts: a fresh operator token for this run.
bench_operator_token() {
  SURGE_ADMIN_TOKEN="surge_bench$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)"
  export SURGE_ADMIN_TOKEN
  export SURGE_TOKEN="$SURGE_ADMIN_TOKEN"
}

# Once the server at $1 is healthy: a trusted volunteer key for the bench's own volunteers, exported
# as SURGE_VOLUNTEER_KEY (bin/surge-volunteer reads it).
bench_volunteer_key() {
  local key
  key=$(curl -sf -H "Authorization: Bearer $SURGE_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"bench volunteers","trusted":true}' "$1/api/admin/volunteer-keys" |
    sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
  [ -n "$key" ] || { echo "bench: the server at $1 made no volunteer key" >&2; return 1; }
  export SURGE_VOLUNTEER_KEY="$key"
}

# Prints a new volunteer key named $2 from the server at $1; $3 "true" marks it trusted (the
# centre's own machine), "false" makes an ordinary, untrusted volunteer identity.
bench_new_volunteer_key() {
  local key
  key=$(curl -sf -H "Authorization: Bearer $SURGE_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$2\",\"trusted\":$3}" "$1/api/admin/volunteer-keys" |
    sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
  [ -n "$key" ] || { echo "bench: the server at $1 made no volunteer key" >&2; return 1; }
  echo "$key"
}
