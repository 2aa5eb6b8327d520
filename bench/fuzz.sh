#!/usr/bin/env bash
# Fuzzes Surge's parsers of untrusted input with Jazzer's command line, each target for a given
# time, keeping a corpus between runs (target/fuzz-corpus) and any crashing input
# (target/fuzz-findings). The same targets run as @FuzzTest under JUnit: replaying their seeds in
# every build, and fuzzing a few seconds each with JAZZER_FUZZ=1 (docs/security.md, "Fuzzing").
#
#   bench/fuzz.sh [SECONDS] [TARGET...]   (default 300 s each, all targets)
#
# Exits non-zero when a target finds a crash: an exception its parser does not document.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
seconds="${1:-300}"
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;; esac
shift || true
# module  class  seed directory (the JUnit fuzz test's inputs)
targets=(
  "offload-server surge.volunteers.protocol.CodecFuzzTest"
  "offload-server surge.jobs.control.JobSpecFuzzTest"
  "offload-server surge.consent.control.ConsentTokensFuzzTest"
  "slurm-bridge surge.slurm.OffloadScriptFuzzTest"
  "offload-server surge.identity.control.CredentialsFuzzTest"
)
if [ $# -gt 0 ]; then
  wanted=("$@")
  picked=()
  for t in "${targets[@]}"; do
    for w in "${wanted[@]}"; do
      case "$t" in *"$w"*) picked+=("$t") ;; esac
    done
  done
  targets=("${picked[@]}")
fi
work="$here/target/fuzz"
mkdir -p "$work"
# One reactor build gives each module's test classpath with its sibling modules' classes.
for module in offload-server slurm-bridge; do
  mvn -q -B -pl "$module" -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$work/$module.classpath" >"$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log" >&2; echo "fuzz.sh: building $module failed" >&2; exit 1; }
done
failed=0
for t in "${targets[@]}"; do
  read -r module class <<<"$t"
  name="${class##*.}"
  corpus="$here/target/fuzz-corpus/$name"
  findings="$here/target/fuzz-findings/$name"
  mkdir -p "$corpus" "$findings"
  seeds="$module/src/test/resources/$(echo "${class%.*}" | tr . /)/${name}Inputs"
  seedDirs=()
  if [ -d "$seeds" ]; then
    while IFS= read -r d; do seedDirs+=("$d"); done < <(find "$seeds" -mindepth 1 -maxdepth 1 -type d)
  fi
  cp="$module/target/test-classes:$module/target/classes:$(cat "$work/$module.classpath")"
  echo "== $name: ${seconds}s"
  rc=0
  java -Xmx2g -cp "$cp" com.code_intelligence.jazzer.Jazzer \
    --target_class="$class" --instrumentation_includes='surge.**' \
    -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$corpus" "${seedDirs[@]}" >"$work/$name.log" 2>&1 || rc=$?
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)|^Done [0-9]+ runs' \
    "$work/$name.log" || true
  if [ "$rc" -ne 0 ] || ls "$findings" | grep -q .; then
    grep -A12 -m1 'Java Exception' "$work/$name.log" || tail -20 "$work/$name.log"
    echo "!! $name found a crash (exit $rc): $findings, log $work/$name.log"
    failed=1
  fi
done
exit "$failed"
