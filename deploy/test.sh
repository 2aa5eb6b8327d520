#!/usr/bin/env bash
# Runs every test of Surge on a fresh machine: installs what is missing, builds every module and
# runs the kernel checks, the worker-runtime's node tests, the Java unit tests, the Arquillian
# integration tests on Payara Micro and the end-to-end tests (real server, headless Node
# volunteers, the surge CLI, native baselines, SIGKILL recovery), then the local Slurm cluster's
# smoke test (both partitions, arrays, scancel, moving a pending job to the volunteer partition),
# and the local Surge cluster's (PostgreSQL, two instances behind nginx, SIGKILL of one), then every
# fault of bench/cluster-faults.sh once while the instances share jobs.
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
# Two instances sharing jobs (SURGE_CLUSTER=on), every fault once on one cluster (PostgreSQL, nginx,
# two headless volunteers): nginx and PostgreSQL restarted mid-job, the instance holding most tasks
# frozen past its lease and SIGKILLed, the merging instance SIGKILLed mid-merge, and a Slurm job's
# rescue due while the instance that polled Slurm last is dead (a local Slurm is started for it).
# Fails on a result not byte-identical to the native build, a lost task, a merge stored twice, or
# a rescue made other than once; stops what it started by pid (15 minutes at a load of 10 here,
# 266 s of it the cold start; fails while the nginx-restart stall in docs/scale-out.md is open).
bench/cluster-faults.sh --faults all --repeat 1 --mc-samples 30000000 --timeout-s 180 --label ci
echo "deploy/test.sh: all tests passed in $(( $(date +%s) - started )) s"
