#!/usr/bin/env bash
# Fault: SIGKILL the build host that is compiling a run (its worker JVM, in its namespace).
# Expected: the run starts over from fetch on another host and passes; its log keeps both attempts
# and names the restart. Measured: SIGKILL → the compile running again elsewhere (the restarted
# compile prints its own start time).
#   deploy/local-cluster/faults/kill-build-host.sh [n]      (n kills, 3 by default)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
n=${1:-3}
url=$(make_repo lost-host 'compile:
  - run: echo "attempt started at $(date +%s%3N)"; sleep 12; echo "compile done"')
times=() failures=0
for i in $(seq "$n"); do
  push lost-host "kill $i"
  id=$(rebuild "$url")
  wait_until 180 "run $id compiling" compiling_on "$id" "attempt started at [0-9]"
  host=$(field "$id" .host)
  pid=$(pid_of "$host") || die "no pid for build host $host"
  killed=$(now_ms)
  kill -KILL "$pid"
  second() { [ "$(run_log "$id" | grep -c 'attempt started at [0-9]')" -ge 2 ]; }
  wait_until 180 "run $id compiling again" second
  again=$(run_log "$id" | grep -o 'attempt started at [0-9][0-9]*' | sed -n 2p | awk '{print $4}')
  result=$(wait_end "$id" 300)
  view=$(view "$id")
  new_host=$(jq -r .host <<<"$view")
  restarts=$(jq -c '[.restarts[]? | {host, reason: (.reason // .note // null)}]' <<<"$view")
  attempts=$(run_log "$id" | grep -c 'attempt started at [0-9]')
  noted=$(run_log "$id" | grep -c 'restarted on' || true)
  ms=$((again - killed)); times+=("$ms")
  ok=yes
  [ "$result" = passed ] && [ "$new_host" != "$host" ] && [ "$attempts" = 2 ] || { ok=NO; failures=$((failures + 1)); }
  printf 'kill %d: run %s compiling on %s, SIGKILL -> compiling on %s after %d ms; result %s; log: %d attempts, %d restart notes; restarts %s [%s]\n' \
    "$i" "$id" "$host" "$new_host" "$ms" "$result" "$attempts" "$noted" "$restarts" "$ok"
  restart_host "$host"
done
p50=$(printf '%s\n' "${times[@]}" | percentile 50)
max=$(printf '%s\n' "${times[@]}" | percentile 100)
echo "host lost -> compiling elsewhere over $n kills: p50 $p50 ms, max $max ms; $failures failed"
[ "$failures" = 0 ]
