#!/usr/bin/env bash
# Cancel latency benchmark (issue 3): starts the dev stack in a scratch KILN_HOME on free ports,
# then 20 times: a build whose compile honours SIGTERM writes its pid (= its process group) and
# sleeps; 3 s into it (a cancel right at the start would ride the activity's first heartbeat),
# PUT /build-jobs/{id}/cancel; measures request → process group dead and request → run view
# "cancelled". Prints p50/p99. Stops the stack at the end.
#   bench/cancel-latency.sh [n] [ms into the compile]   (after ./mvnw -q -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
make_sleeping_repo "$work/repo"
start_stack

java bench/LaneControl.java cancel "$api" "file://$work/repo" "$work/marks" "${1:-20}" "${2:-3000}"
