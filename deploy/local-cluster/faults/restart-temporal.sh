#!/usr/bin/env bash
# Fault: stop the Temporal server (SIGTERM, all services) while six runs compile on the three
# hosts, keep it down, start it again (`up` does, on the same PostgreSQL). Expected: every run
# finishes, none lost, none twice. Measured: how long POST /rebuild answers while it is down, the
# in-flight runs' ends, and a new run's POST → compiling right after the restart.
#   deploy/local-cluster/faults/restart-temporal.sh [seconds down]     (15 by default)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
down_for=${1:-15}
runs=() urls=()
for i in 1 2 3 4 5 6; do
  urls+=("$(make_repo "temporal-restart-$i" 'compile:
  - run: echo "attempt started at $(date +%s%3N)"; sleep 30; echo "compile done at $(date +%s%3N)"')")
done
for u in "${urls[@]}"; do runs+=("$(rebuild "$u")"); done
for id in "${runs[@]}"; do wait_until 180 "run $id compiling" compiling_on "$id" "attempt started at [0-9]"; done
echo "runs ${runs[*]} compiling on $(for id in "${runs[@]}"; do printf '%s ' "$(field "$id" .host)"; done)"
stopped=$(now_ms)
stop temporal TERM
echo "Temporal stopped at $(date -u +%T) ($(( $(now_ms) - stopped )) ms to stop)"
# a rebuild while Temporal is away: the api answers, with 503 problem+json
probe_start=$(now_ms)
probe=$(curl -sS -o /dev/stderr -w '%{http_code} %{content_type}' -H "Authorization: Bearer $TOKEN" \
  -X POST "$API/rebuild" -H 'Content-Type: application/json' \
  -d "{\"repo\":\"${urls[0]}\",\"ref\":\"main\",\"supersede\":false}" 2>"$STATE/logs/probe.json" || true)
echo "POST /rebuild while Temporal is down: $probe after $(( $(now_ms) - probe_start )) ms: $(head -c 300 "$STATE/logs/probe.json")"
rest=$(( down_for * 1000 - ($(now_ms) - stopped) ))
[ "$rest" -gt 0 ] && sleep "$(awk -v ms="$rest" 'BEGIN {print ms / 1000}')"
restart_host temporal
back=$(now_ms)
echo "Temporal down for $(( (back - stopped) / 1000 )) s (stop to serving again, \`up\` included)"
fresh_url=$(make_repo temporal-restart-fresh 'compile:
  - run: echo "attempt started at $(date +%s%3N)"')
sent=$(now_ms)
fresh=$(rebuild "$fresh_url")
wait_until 900 "run $fresh compiling" compiling_on "$fresh" "attempt started at [0-9]"
started=$(run_log "$fresh" | grep -o 'attempt started at [0-9][0-9]*' | head -1 | awk '{print $4}')
echo "new run $fresh after the restart: POST /rebuild -> compiling $(( started - sent )) ms"
lost=0 twice=0 failed=0
for id in "${runs[@]}" "$fresh"; do
  result=$(wait_end "$id" 300)
  attempts=$(run_log "$id" | grep -c 'attempt started at [0-9]' || true)
  dones=$(run_log "$id" | grep -c 'compile done at [0-9]' || true)
  done_at=$(run_log "$id" | grep -o 'compile done at [0-9][0-9]*' | tail -1 | awk '{print $4}' || true)
  restarts=$(field "$id" '[.restarts[]?] | length')
  printf 'run %s: %s, %s attempt(s), %s restart(s)%s\n' "$id" "$result" "$attempts" "$restarts" \
    "${done_at:+, compile done $(( (done_at - back) / 1000 )) s after Temporal was back}"
  [ "$result" = passed ] || failed=$((failed + 1))
  [ "$result" = building ] && lost=$((lost + 1))
  [ "${dones:-0}" -gt 1 ] && twice=$((twice + 1))
done
# every run has exactly one workflow execution that ran to completion
for id in "${runs[@]}"; do
  n=$(tctl workflow list --query "WorkflowId='kiln-run-$id'" -o json 2>/dev/null | jq 'length' 2>/dev/null || echo '?')
  printf 'kiln-run-%s: %s execution(s)\n' "$id" "$n"
done
echo "runs: ${#runs[@]} in flight + 1 new; not passed $failed, stuck $lost, compiled twice $twice"
[ "$failed" = 0 ]
