#!/usr/bin/env bash
# Fault: SIGKILL one api replica while 50 followers stream a build's log as SSE through HAProxy.
# Expected: the followers of the killed replica reconnect with Last-Event-ID (HAProxy sends them to
# the other one) and every follower receives every line exactly once; the build is not slowed.
# Measured: kill → each reconnected follower's next log event; the compile's own duration with the
# followers and the kill, against the same build alone just before.
#   deploy/local-cluster/faults/kill-api-replica.sh [followers] [replica]   (50, api-1)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
followers=${1:-50}
replica=${2:-api-1}
lines=600
url=$(make_repo sse-failover "compile:
  - run: echo \"first \$(date +%s%3N)\"; for i in \$(seq $lines); do echo \"line \$i \$(date +%s%3N)\"; sleep 0.05; done; echo \"last \$(date +%s%3N)\"")
compile_ms() { run_log "$1" | awk '$1 == "first" {f = $2} $1 == "last" {l = $2} END {print l - f}'; }
push sse-failover baseline
alone=$(rebuild "$url")
[ "$(wait_end "$alone" 300)" = passed ] || die "baseline run $alone did not pass"
push sse-failover fault
id=$(rebuild "$url")
wait_until 120 "run $id compiling" compiling_on "$id" "line 1 "
pid=$(pid_of "$replica") || die "$replica is not running"
java "$faults_dir/SseFailover.java" "$API" "$TOKEN" "$id" "$followers" "$lines" kill -KILL "$pid" || status=$?
result=$(wait_end "$id" 300)
echo "run $id $result; compile took $(compile_ms "$id") ms with $followers followers and $replica killed, $(compile_ms "$alone") ms alone (run $alone)"
restart_host "$replica"
exit "${status:-0}"
