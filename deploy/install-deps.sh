#!/usr/bin/env bash
# Installs what building and testing Surge needs on a Debian 12 machine, and only what is missing:
#   - Debian packages: the C-to-WASI toolchain for the example kernels, Slurm with munge, Chromium
#     and its driver for browser tests, nginx and openssl (the TLS front and the front of several
#     instances), PostgreSQL 15 (the database several instances share), curl and procps;
#   - worker-runtime's npm packages (npm ci) when its lock file is newer than its node_modules.
# Java >= 17, Maven, Node >= 20 and npm must already be there (they are on Surge's machines); the
# script names whatever is missing instead of downloading toolchains.
#
# Idempotent and quiet: one line per thing it installs, nothing when all is there (a second run
# takes well under a second). Runs as root, or through sudo otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

PACKAGES=(
  # example kernels: C to wasm32-wasi and natively, wasm-objdump, make; gcc and make also build
  # surge-wait, the light waiter of `surge offload` (slurm-bridge/src/main/c)
  clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt make gcc
  # surge-wait speaks HTTP and TLS through libcurl and reads JSON with json-c
  libcurl4-openssl-dev libjson-c-dev pkg-config
  # Slurm, for the bridge and its tests
  munge slurmctld slurmd slurm-client
  # headless browser tests
  chromium chromium-driver
  # TLS in front of Surge (deploy/nginx, TlsProxyIT makes its certificate with openssl); nginx is
  # also the front of several instances (deploy/cluster/local-cluster.sh)
  nginx openssl
  # the database several instances share: deploy/cluster/local-cluster.sh runs Debian 12's
  # PostgreSQL 15 binaries (/usr/lib/postgresql/15/bin) as a cluster of its own; the package's
  # system cluster is not needed (no systemd here) and is left alone
  postgresql-15
  curl procps
)
MIN_JAVA=17
MIN_NODE=20

say() { echo "install-deps: $*"; }
die() {
  echo "install-deps: error: $*" >&2
  exit 1
}

# --- toolchains that must be preinstalled -----------------------------------------------------
missing_tools=()
if ! command -v java >/dev/null 2>&1; then
  missing_tools+=("java >= $MIN_JAVA (not on PATH)")
else
  # `java -version` prints e.g. openjdk version "17.0.15" 2025-04-15 (or "1.8.0_402" for Java 8).
  java_version=$(java -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  java_major=${java_version%%.*}
  [[ "$java_major" == 1 ]] && java_major=$(echo "$java_version" | cut -d. -f2)
  if ! [[ "$java_major" =~ ^[0-9]+$ ]] || ((java_major < MIN_JAVA)); then
    missing_tools+=("java >= $MIN_JAVA (found '${java_version:-unknown}' at $(command -v java))")
  fi
fi
command -v mvn >/dev/null 2>&1 || missing_tools+=("mvn (Maven, not on PATH)")
if ! command -v node >/dev/null 2>&1; then
  missing_tools+=("node >= $MIN_NODE (not on PATH)")
else
  node_version=$(node --version 2>/dev/null || true) # e.g. v20.20.2
  node_major=${node_version#v}
  node_major=${node_major%%.*}
  if ! [[ "$node_major" =~ ^[0-9]+$ ]] || ((node_major < MIN_NODE)); then
    missing_tools+=("node >= $MIN_NODE (found '${node_version:-unknown}' at $(command -v node))")
  fi
fi
command -v npm >/dev/null 2>&1 || missing_tools+=("npm (not on PATH)")
if ((${#missing_tools[@]} > 0)); then
  {
    echo "install-deps: error: these must be installed and on PATH first (this script does not download toolchains):"
    printf '  - %s\n' "${missing_tools[@]}"
  } >&2
  exit 1
fi

# --- Debian packages --------------------------------------------------------------------------
# One dpkg-query for all packages; unknown ones print nothing on stdout, so they count as missing.
declare -A installed=()
while read -r name status; do
  [[ "$status" == "install ok installed" ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
missing_packages=()
for p in "${PACKAGES[@]}"; do
  [[ -n "${installed[$p]:-}" ]] || missing_packages+=("$p")
done

if ((${#missing_packages[@]} > 0)); then
  if ((EUID == 0)); then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    die "not root and no sudo: cannot install ${missing_packages[*]}"
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install ${missing_packages[*]} by hand"
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q -y)
  "${apt[@]}" update >"$log" 2>&1 || {
    cat "$log" >&2
    die "apt-get update failed"
  }
  for p in "${missing_packages[@]}"; do say "installing $p (apt)"; done
  "${apt[@]}" install --no-install-recommends "${missing_packages[@]}" >"$log" 2>&1 || {
    tail -n 40 "$log" >&2
    die "apt-get install ${missing_packages[*]} failed"
  }
fi

# --- worker-runtime npm packages --------------------------------------------------------------
# node_modules counts as older than the lock file by the mark npm (7+) writes last in a successful
# install, node_modules/.package-lock.json: a half-done install has none and is redone.
runtime="$ROOT/worker-runtime"
if [[ -f "$runtime/package-lock.json" ]]; then
  stamp="$runtime/node_modules/.package-lock.json"
  # A lock file without dependencies leaves no node_modules behind: nothing to do then.
  has_deps=$(node -e 'const l = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const p = Object.keys(l.packages || l.dependencies || {}).filter((k) => k !== "");
    console.log(p.length > 0 ? "yes" : "no");' "$runtime/package-lock.json" 2>/dev/null || echo yes)
  if [[ "$has_deps" == yes && (! -e "$stamp" || "$runtime/package-lock.json" -nt "$stamp") ]]; then
    say "installing worker-runtime npm packages (npm ci)"
    npm_log=$(mktemp)
    if ! (cd "$runtime" && npm ci --no-audit --no-fund) >"$npm_log" 2>&1; then
      tail -n 40 "$npm_log" >&2
      rm -f "$npm_log"
      die "npm ci in worker-runtime failed"
    fi
    rm -f "$npm_log"
  fi
fi
