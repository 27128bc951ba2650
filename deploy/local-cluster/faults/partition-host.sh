#!/usr/bin/env bash
# Fault: cut a build host off the network (its veth down on the bridge side) for 40 s while it
# compiles, then bring the link back. Expected: the run restarts on another host and ends once.
# The cut-off host's attempt is fenced: once the link is back, the api refuses whatever it still
# sends for that attempt (log lines held while cut off, its result), and the host, told so, kills
# its compile. Checked and printed: when the other host took over, that none of the old attempt's
# lines stamped after the cut reached the log, that its compile is gone and never said `done`.
#   deploy/local-cluster/faults/partition-host.sh [seconds]    (40 by default)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cut_for=${1:-40}
# each attempt names itself, and prints a line a second for 90 s
url=$(make_repo partition 'compile:
  - run: |
      a=$(od -An -N4 -tx4 /dev/urandom | tr -d " ")
      echo "attempt $a started at $(date +%s%3N)"
      for i in $(seq 90); do echo "attempt $a tick $i at $(date +%s%3N)"; sleep 1; done
      echo "attempt $a done at $(date +%s%3N)"')
push partition "partition run"
id=$(rebuild "$url")
wait_until 180 "run $id compiling" compiling_on "$id" "tick 5 "
host=$(field "$id" .host)
first=$(run_log "$id" | grep -o 'attempt [0-9a-f][0-9a-f]* started' | head -1 | awk '{print $2}')
ip link set "kc-$host" down
cut=$(now_ms)
echo "run $id: attempt $first compiling on $host; link kc-$host down at $(date -u +%T)"
other() { run_log "$id" | grep -o 'attempt [0-9a-f][0-9a-f]* started' | grep -qv "attempt $first "; }
wait_until $((cut_for + 60)) "another attempt" other
second=$(run_log "$id" | grep -o 'attempt [0-9a-f][0-9a-f]* started at [0-9][0-9]*' | grep -v "attempt $first " | head -1)
took_over=$(( $(awk '{print $5}' <<<"$second") - cut ))
echo "attempt $(awk '{print $2}' <<<"$second") started on $(field "$id" .host) ${took_over} ms after the cut"
remaining=$(( cut_for * 1000 - ($(now_ms) - cut) ))
[ "$remaining" -gt 0 ] && sleep "$(awk -v ms="$remaining" 'BEGIN {print ms / 1000}')"
ip link set "kc-$host" up
back=$(now_ms)
echo "link kc-$host up again after $(( (back - cut) / 1000 )) s"
# what the old attempt does once it can talk again
sleep 20
old_lines_after_cut=$(run_log "$id" | grep "attempt $first tick" | awk -v c="$cut" '$6 > c' | wc -l)
old_alive=$(ip netns pids "$(netns_of "$host")" | xargs -r ps -o args= -p 2>/dev/null | grep -c 'sleep 1' || true)
result=$(wait_end "$id" 300)
view=$(view "$id")
echo "run $id ended $result on $(jq -r .host <<<"$view"); restarts $(jq -c '[.restarts[]?]' <<<"$view")"
echo "old attempt $first: $old_lines_after_cut of its lines stamped after the cut are in the log (the api refuses a stale attempt's); its compile still running on $host 20 s after the link came back: $([ "$old_alive" -gt 0 ] && echo yes || echo no)"
echo "old attempt's done line in the log: $(run_log "$id" | grep -c "attempt $first done" || true); new attempt's: $(run_log "$id" | grep -c "$(awk '{print $2}' <<<"$second") done" || true)"
grep -a "run_id=$id\b\|kiln-run-$id\b" "$STATE/logs/$host.log" | tail -8 | sed 's/^/  '"$host"' log: /' || true
[ "$result" = passed ] && [ "$old_lines_after_cut" = 0 ] && [ "$old_alive" = 0 ] &&
  [ "$(run_log "$id" | grep -c "attempt $first done" || true)" = 0 ]
