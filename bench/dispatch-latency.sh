#!/usr/bin/env bash
# Dispatch latency (issue 9): POST /rebuild -> the first compile command running, for a warm lane
# (its mirror and workspace on the host, its previous run ended), a new commit pushed before each
# run. The repository holds 250 small C files, so the checkout has something to do.
#   bench/dispatch-latency.sh [n]   (after ./mvnw -q -B -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
repo="$work/repo"
mkdir -p "$repo/src"
for i in $(seq 250); do printf 'int f%d(void) { return %d; }\n' "$i" "$i" > "$repo/src/f$i.c"; done
make_repo "$repo" 'compile:
  - run: echo "compile started at $(date +%s%N)"'
git -C "$repo" add src && git -C "$repo" -c user.name=bench -c user.email=bench@kiln.dev commit -qm sources
start_stack
java bench/Dispatch.java "$api" "$repo" "${1:-20}"
