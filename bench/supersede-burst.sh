#!/usr/bin/env bash
# A burst of supersedes (issue 17): the dev stack with one build slot, 10 repositories whose build
# is `sleep 1`, and 200 rebuilds from 50 client threads spread over their 10 lanes. Prints the POST
# latencies and the drain time, and fails when a lane did not end with its newest run passed and
# every other aborted, when the slot is still held afterwards, or when a workspace is left on disk.
#   bench/supersede-burst.sh [n] [clients] [lanes]   (after ./mvnw -q -B -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
n=${1:-200}; clients=${2:-50}; lanes=${3:-10}
repos=()
for i in $(seq "$lanes"); do
  make_repo "$work/repo-$i" "compile:
  - run: sleep 1"
  repos+=("file://$work/repo-$i")
done
KILN_WORKER_SLOTS=1 start_stack
java bench/SupersedeBurst.java "$api" "$work/home" "$n" "$clients" "${repos[@]}"
