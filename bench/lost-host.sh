#!/usr/bin/env bash
# Lost-host benchmark (issue 3): starts the dev stack (KILN_ARCHS with ppc64le) and two more build
# workers for ppc64le (`kiln-dev.jar worker`, host-a and host-b, own KILN_HOMEs). n times: a build
# compiles on one of them (writes its pid, sleeps); SIGKILL that worker's JVM; measure until the run
# compiles again on the other host (the restarted attempt writes its pid). Then the run is cancelled
# and the killed worker started again on its KILN_HOME. Prints p50/p99.
#   bench/lost-host.sh [n]           (after ./mvnw -q -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
make_sleeping_repo "$work/repo"
own=$(uname -m); case "$own" in arm64) own=aarch64 ;; esac
export KILN_ARCHS="$own,ppc64le"
start_stack

java bench/LaneControl.java lost-host "$api" "file://$work/repo" "$work/marks" "${1:-3}" \
  ppc64le "$jar" "$work/home/dev-stack.env"
