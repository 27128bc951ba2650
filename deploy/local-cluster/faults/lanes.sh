#!/usr/bin/env bash
# Load: 200 rebuilds into 10 lanes (10 repositories' main), sent as fast as the api takes them,
# each on a new commit, spread by Temporal over the three hosts. Expected: each lane ends with its
# newest run passed and every other one aborted (coalesced before it started) or cancelled
# (superseded while it built), or passed when it ended before the lane's next rebuild was sent, none
# stuck, and no two compiles of one lane overlapping in time.
#   deploy/local-cluster/faults/lanes.sh [rebuilds] [lanes]       (200, 10)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
total=${1:-200}
lanes=${2:-10}
# a compile that says when it began and, every 100 ms, that it still runs
yaml='compile:
  - run: echo "compile began $(date +%s%3N)"; for i in $(seq 30); do echo "alive $(date +%s%3N)"; sleep 0.1; done'
declare -a url
for l in $(seq 0 $((lanes - 1))); do url[$l]=$(make_repo "lane-$l" "$yaml"); done
declare -A ids
sent_at=$(now_ms)
for i in $(seq 0 $((total - 1))); do
  l=$((i % lanes))
  push "lane-$l" "request $i"
  ids[$l]="${ids[$l]:-} $(rebuild "${url[$l]}")"
done
echo "$total rebuilds sent in $(( $(now_ms) - sent_at )) ms"
all=$(for l in $(seq 0 $((lanes - 1))); do echo ${ids[$l]}; done | tr ' ' '\n' | grep -v '^$')
for id in $all; do wait_until 900 "run $id to end" ended "$id" || true; done
echo "all ended $(( ($(now_ms) - sent_at) / 1000 )) s after the first request"
bad=0
declare -A by_result
for l in $(seq 0 $((lanes - 1))); do
  set -- ${ids[$l]}
  newest=${!#}
  lane_bad=0 hosts=""
  prev_end=0 overlaps=0
  runs=("$@")
  for i in "${!runs[@]}"; do
    id=${runs[$i]}
    v=$(view "$id")
    r=$(jq -r .result <<<"$v")
    by_result[$r]=$(( ${by_result[$r]:-0} + 1 ))
    if [ "$id" = "$newest" ]; then [ "$r" = passed ] || lane_bad=1
    else
      # superseded, or done before the lane's next run was even asked for (sending is slower
      # than a build on a loaded machine): passed then is right
      next_queued=$(field "${runs[$((i + 1))]}" .queued_at)
      case "$r" in
        aborted|cancelled) ;;
        passed) [[ "$(jq -r .finished_at <<<"$v")" < "$next_queued" ]] || lane_bad=1 ;;
        *) lane_bad=1 ;;
      esac
    fi
    began=$(run_log "$id" | awk '$2 == "began" {print $3; exit}')
    if [ -n "$began" ]; then
      hosts="$hosts $(jq -r .host <<<"$v")"
      [ "$began" -ge "$prev_end" ] || overlaps=$((overlaps + 1))
      prev_end=$(run_log "$id" | awk '$1 == "alive" {t = $2} END {print (t == "" ? 0 : t)}')
    fi
  done
  printf 'lane %d: %d runs, newest %s %s, compiled on:%s; overlapping compiles %d%s\n' "$l" "$#" \
    "$newest" "$(field "$newest" .result)" "$hosts" "$overlaps" "$([ $lane_bad = 0 ] && echo '' || echo ' [NOT AS EXPECTED]')"
  [ $lane_bad = 0 ] && [ $overlaps = 0 ] || bad=$((bad + 1))
done
printf 'results:'; for r in "${!by_result[@]}"; do printf ' %s %s' "$r" "${by_result[$r]}"; done; echo
echo "lanes not as expected: $bad of $lanes"
[ "$bad" = 0 ]
