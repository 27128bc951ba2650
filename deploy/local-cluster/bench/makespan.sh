#!/usr/bin/env bash
# Makespan of n independent builds of s seconds each (`sleep s`, no lane: "supersede": false) on
# the three build hosts, then on one of them alone (the other two drained away with SIGTERM), the
# same slots per host; the first POST /rebuild to the last run's end. Target ratio ≤ 0.40 (issue
# 15; 0.33 is ideal). The other hosts are started again at the end.
#   deploy/local-cluster/bench/makespan.sh [n] [seconds]        (60, 5)
set -euo pipefail
. "$(dirname "$0")/../faults/lib.sh"
n=${1:-60}
secs=${2:-5}
url=$(make_repo makespan "compile:
  - run: sleep $secs")
measure() { # measure LABEL: prints the makespan in ms
  local ids=() first id hosts
  first=$(now_ms)
  for _ in $(seq "$n"); do ids+=("$(rebuild "$url" '"supersede":false')"); done
  for id in "${ids[@]}"; do
    [ "$(wait_end "$id" 1200)" = passed ] || echo "run $id did not pass" >&2
  done
  local ms=$(( $(now_ms) - first ))
  hosts=$(for id in "${ids[@]}"; do field "$id" .host; done | sort | uniq -c | awk '{printf "%s×%s ", $2, $1}')
  echo "$1: $n builds of ${secs} s in $ms ms (by host: $hosts)" >&2
  echo "$ms"
}
push makespan warm-up
rebuild "$url" '"supersede":false' >/dev/null   # mirrors warm on whichever host takes it
three=$(measure "three hosts, $HOST_SLOTS slots each")
stop h2 TERM; stop h3 TERM
sleep 16 # until the api counts them lost
one=$(measure "one host (h1), $HOST_SLOTS slots")
restart_host
awk -v a="$three" -v b="$one" 'BEGIN {printf "makespan three hosts ÷ one host: %.3f (target ≤ 0.40)\n", a / b}'
