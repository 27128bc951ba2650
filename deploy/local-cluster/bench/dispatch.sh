#!/usr/bin/env bash
# Dispatch latency on the local cluster, measured as bench/dispatch-latency.sh measures it on the
# dev stack (bench/Dispatch.java): a warm lane, a new commit before each run, POST /rebuild through
# HAProxy → the first compile command running on a build host; n runs after 3 uncounted.
#   deploy/local-cluster/bench/dispatch.sh [n]     (20)
set -euo pipefail
. "$(dirname "$0")/../faults/lib.sh"
repo=$STATE/repos/dispatch
make_repo dispatch 'compile:
  - run: echo "compile started at $(date +%s%N)"' >/dev/null
mkdir -p "$repo/src"
for i in $(seq 250); do printf 'int f%d(void) { return %d; }\n' "$i" "$i" > "$repo/src/f$i.c"; done
git -C "$repo" add src
git -C "$repo" -c user.name=bench -c user.email=bench@kiln.dev commit -qm sources
KILN_TOKEN=$TOKEN java "$repo_root/bench/Dispatch.java" "$API" "$repo" "${1:-20}"
