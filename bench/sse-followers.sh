#!/usr/bin/env bash
# 1000 SSE followers benchmark (issue 4): starts the dev stack in a scratch KILN_HOME on free
# ports, builds a repository whose compile prints a timestamped line every 20 ms for about two
# minutes, then follows the run's log with one SSE client alone and with 1000 at once (one JVM, one
# selector thread, loopback). Prints the write → receive latency p50/p99 of both and the dev-stack
# JVM's used heap (api and worker share that JVM) after a forced GC, before the 1000 connect and
# while they follow. Stops the stack at the end.
#   bench/sse-followers.sh [followers]      (after ./mvnw -q -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
followers=${1:-1000}
# a socket per follower on both ends, in this shell's children (client and stack)
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((2 * followers + 512)) ] || { echo "ulimit -n too low for $followers followers" >&2; exit 1; }
. bench/lib.sh
make_repo "$work/repo" 'compile:
  - run: for i in $(seq 5000); do echo "tick $(date +%s%N)"; sleep 0.02; done'
start_stack

HISTOGRAM=${HISTOGRAM:-} java bench/SseFollowers.java "$api" "file://$work/repo" "$stack" "$followers"
