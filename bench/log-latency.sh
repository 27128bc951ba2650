#!/usr/bin/env bash
# Log latency benchmark (issue 4): starts the dev stack in a scratch KILN_HOME on free ports,
# builds a repository whose compile prints a timestamped line every 20 ms for 20 s, follows the
# run's SSE log on loopback and prints p50/p99 of write → receive. Stops the stack at the end.
#   bench/log-latency.sh            (after ./mvnw -q -B -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
make_repo "$work/repo" 'compile:
  - run: for i in $(seq 1000); do echo "tick $(date +%s%N)"; sleep 0.02; done'
start_stack

java bench/LogLatency.java "$api" "file://$work/repo"
