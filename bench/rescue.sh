#!/usr/bin/env bash
# Surge rescue latency: how long after a pending batch job becomes eligible for rescue its first
# task runs on a volunteer. A real local Slurm cluster (deploy/slurm/local-cluster.sh, its own
# directory), the real server watching the batch partition, two headless volunteers; a blocker job
# fills batch, then opted-in Monte Carlo jobs are submitted to batch one after another.
#
#   bench/rescue.sh [options]
#     --runs N             rescued jobs measured (default 30)
#     --rescue-after D     #OFFLOAD --rescue-after of each job (default 2s; whole seconds)
#     --poll D             SURGE_RESCUE_POLL of the server (default 1s)
#     --keep               keep the temporary directory (logs, outputs) and print its path
#
# Definitions (docs/benchmarks.md, "Rescue latency"):
#   due         = EligibleTime (scontrol show job; Slurm keeps whole seconds) + rescue-after: the
#                 moment the job became eligible for rescue
#   moved       = due + the delay the server logs ("moved job N ... X ms after it became due")
#   script      = the batch script's first line on the volunteer partition (date +%s%3N, written
#                 by the bench's job script just before exec surge offload)
#   submitted   = the Surge job's createdAt (the launcher, started by Slurm on the volunteer
#                 partition, has uploaded and submitted)
#   first task  = the Surge job's startedAt (the dispatcher sent its first task to a volunteer)
#   latency     = first task - due
# All clocks are this machine's. Prints a table and writes bench/results/<UTC stamp>-rescue.json.
set -euo pipefail
# Benchmarks measure dispatch, not kernel approval: every user may run any kernel.
export SURGE_KERNEL_POLICY="${SURGE_KERNEL_POLICY:-any-user}"

bench="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
# Every call needs a credential: an operator token for this run, sent by the CLI and api.mjs.
. "$repo/bench/lib/credentials.sh"
bench_operator_token
runs=30 rescue_after=2 poll=1s keep=0
cmdline="bench/rescue.sh"
[ $# -gt 0 ] && cmdline+="$(printf ' %q' "$@")"
die() { echo "rescue.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) [[ "${2-}" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive whole number"; runs=$2; shift 2 ;;
    --rescue-after) [[ "${2-}" =~ ^([1-9][0-9]*)s?$ ]] || die "--rescue-after: whole seconds, e.g. 2s"
      rescue_after=${BASH_REMATCH[1]}; shift 2 ;;
    --poll) poll="${2:?--poll needs a duration}"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done

[ -f "$repo/offload-server/target/surge.war" ] || die "no server build: mvn -q -pl offload-server -am package -DskipTests"
[ -f "$repo/slurm-bridge/target/surge.jar" ] || die "no surge.jar: mvn -q -pl slurm-bridge -am package -DskipTests"
[ -f "$repo/examples/kernels/build/wasm/montecarlo.wasm" ] || make -s -C "$repo/examples/kernels" >&2

say() { echo "bench: $*" >&2; }
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$bench/results"
out="$bench/results/${stamp}-rescue.json"
tmp="$(mktemp -d /tmp/surge-rescue-bench.XXXXXX)"
chmod 755 "$tmp" # munged wants every folder above its socket searchable
export SURGE_SLURM_DIR="$tmp/slurm"
server_pid="" volunteer_pids=()

cleanup() {
  set +e
  for p in "${volunteer_pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  "$repo/deploy/slurm/local-cluster.sh" stop >/dev/null 2>&1
  if [ "$keep" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

say "starting a Slurm cluster in $SURGE_SLURM_DIR"
"$repo/deploy/slurm/local-cluster.sh" start --fresh >&2
eval "$("$repo/deploy/slurm/local-cluster.sh" env)"

port=$(node -e 'const s=require("net").createServer();s.listen(0,()=>{console.log(s.address().port);s.close()})')
url="http://localhost:$port"
say "starting the server on $url (rescue: batch -> volunteer, poll $poll)"
SURGE_DATA_DIR="$tmp/data" SURGE_RESCUE_PARTITIONS=batch SURGE_RESCUE_POLL="$poll" \
  SURGE_SLURM_CONF="$SLURM_CONF" "$repo/bin/surge-server" --port "$port" >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 360); do curl -sf "$url/health" >/dev/null && break; sleep 0.5; done
curl -sf "$url/health" >/dev/null || die "the server did not become healthy; see $tmp/server.log"
bench_volunteer_key "$url"
for i in 1 2; do
  "$repo/bin/surge-volunteer" --server "$url" --workers 1 >"$tmp/volunteer-$i.log" 2>&1 &
  volunteer_pids+=($!)
done
until curl -sf "$url/health" | grep -q '"volunteers":2'; do sleep 0.2; done

export PATH="$repo/bin:$PATH" SURGE_SERVER="$url"
cd "$tmp"
cpus=$(sinfo -h -p batch -o %c)
blocker=$(sbatch --parsable -p batch -c "$cpus" -J blocker -o /dev/null --wrap 'sleep 3600')
until [ "$(squeue -h -j "$blocker" -o %T)" = RUNNING ]; do sleep 0.1; done

cat >job.sh <<JOB
#!/bin/bash
#SBATCH -J rescue-bench -o $tmp/%j.out -e $tmp/%j.err
#OFFLOAD --kernel=$repo/examples/kernels/build/wasm/montecarlo.wasm --tasks=2 --arg=1000 --merge=sum
#OFFLOAD --rescue-after=${rescue_after}s
[ "\$SLURM_JOB_PARTITION" = volunteer ] && { date +%s%3N >$tmp/\$SLURM_JOB_ID.start; exec surge offload "\$0"; }
$repo/examples/kernels/build/native/montecarlo-whole 2 1000
JOB

field() { scontrol show job -o "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
: >"$tmp/runs.tsv"
say "measuring $runs rescues (rescue-after ${rescue_after}s)"
for run in $(seq 1 "$runs"); do
  id=$(sbatch --parsable -p batch job.sh)
  for _ in $(seq 1 600); do
    state=$(field "$id" JobState)
    [[ "$state" =~ ^(COMPLETED|FAILED|CANCELLED)$ ]] && break
    sleep 0.1
  done
  [ "$state" = COMPLETED ] || die "job $id ended $state; see $tmp"
  [ "$(field "$id" Partition)" = volunteer ] || die "job $id did not run on volunteer"
  eligible=$(field "$id" EligibleTime)
  moved_ms=$(grep -o "moved job $id of [^ ]* from batch to volunteer [0-9]* ms" "$tmp/server.log" | awk '{print $(NF-1)}')
  surge_job=$(curl -sf "$url/api/jobs?limit=20" | node -e '
    let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
      const x=JSON.parse(s);const j=(Array.isArray(x)?x:x.jobs).find(j=>j.slurmJobId===process.argv[1]);
      console.log(j?j.createdAt+"\t"+j.startedAt:"");})' "$id")
  [ -n "$surge_job" ] || die "no Surge job for Slurm job $id"
  printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$eligible" "$moved_ms" "$(cat "$tmp/$id.start")" "$surge_job" >>"$tmp/runs.tsv"
  printf '.' >&2
done
echo >&2

node - "$tmp/runs.tsv" "$rescue_after" "$out" "$cmdline" "$runs" <<'NODE'
const fs = require("fs");
const [file, after, out, cmdline, runs] = process.argv.slice(2);
const rows = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => l.split("\t"));
// EligibleTime is local time without a zone: Date parses such a string as local time.
const r = rows.map(([id, eligible, moved, script, created, started]) => {
  const due = new Date(eligible).getTime() + 1000 * Number(after);
  return {
    id,
    moveMs: Number(moved),
    scriptMs: Number(script) - due,
    submitMs: Date.parse(created) - due,
    firstTaskMs: Date.parse(started) - due,
  };
});
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const table = ["moveMs", "scriptMs", "submitMs", "firstTaskMs"].map((k) => {
  const xs = r.map((x) => x[k]);
  return { k, p50: pct(xs, 50), p99: pct(xs, 99), min: Math.min(...xs), max: Math.max(...xs) };
});
const names = {
  moveMs: "due -> moved (scontrol update done)",
  scriptMs: "due -> batch script started on volunteer",
  submitMs: "due -> Surge job submitted by the launcher",
  firstTaskMs: "due -> first task running on a volunteer",
};
console.log(`rescue latency over ${r.length} runs (ms)`);
console.log("what".padEnd(45) + "p50".padStart(7) + "p99".padStart(7) + "min".padStart(7) + "max".padStart(7));
for (const t of table) {
  console.log(names[t.k].padEnd(45) + [t.p50, t.p99, t.min, t.max].map((v) => String(v).padStart(7)).join(""));
}
fs.writeFileSync(out, JSON.stringify({ command: cmdline, date: new Date().toISOString(), runs: Number(runs), rescueAfterSeconds: Number(after), summary: table, runsMs: r }, null, 1) + "\n");
console.log(`written ${out}`);
NODE
