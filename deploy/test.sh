#!/usr/bin/env bash
# Runs every test of Surge on a fresh machine: installs what is missing, builds every module and
# runs the kernel checks, the worker-runtime's node tests, the Java unit tests, the Arquillian
# integration tests on Payara Micro and the end-to-end tests (real server, headless Node
# volunteers, the surge CLI, native baselines, SIGKILL recovery), then the local Slurm cluster's
# smoke test (both partitions, arrays, scancel, moving a pending job to the volunteer partition),
# and the local Surge cluster's (PostgreSQL, two instances behind nginx, SIGKILL of one, and of the
# busiest while they share a job).
#   deploy/test.sh [extra Maven arguments, e.g. -pl offload-server -am]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
deploy/install-deps.sh
export MAVEN_OPTS="${MAVEN_OPTS:--Xmx1g}"
started=$(date +%s)
mvn -B -ntp verify "$@"
# A few seconds of fuzzing per parser of untrusted input (the build above replayed their seeds).
bench/fuzz.sh 5
# The churn benchmark's own tests, and its quick mode on the real server (about 2 minutes).
node --test bench/test/
bench/churn-check.sh
deploy/slurm/smoke.sh
# Several instances behind nginx: its retry rules (never a POST twice), then two Surge instances on
# PostgreSQL, where a volunteer survives the SIGKILL of its instance.
node --test deploy/cluster/
deploy/cluster/smoke.sh
# Two instances sharing a job (SURGE_CLUSTER=on): SIGKILL of the one holding most of its tasks; the
# other reclaims them and the result is the native build's, byte for byte (about 2 minutes).
bench/cluster-faults.sh --faults kill-busiest --repeat 1 --label ci
echo "deploy/test.sh: all tests passed in $(( $(date +%s) - started )) s"
