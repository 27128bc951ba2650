#!/usr/bin/env bash
# Supersede latency benchmark (issue 3): starts the dev stack in a scratch KILN_HOME on free ports;
# a build of one lane compiles (writes its pid = process group, sleeps, honours SIGTERM); n times a
# newer rebuild of the same lane is requested and the script measures request → older build's
# process group dead → newer build compiling (its pid written). Prints p50/p99.
#   bench/supersede-latency.sh [n]   (after ./mvnw -q -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
make_sleeping_repo "$work/repo"
start_stack

java bench/LaneControl.java supersede "$api" "file://$work/repo" "$work/marks" "${1:-10}"
