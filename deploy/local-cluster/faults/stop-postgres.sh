#!/usr/bin/env bash
# Fault: stop PostgreSQL (Kiln's database and Temporal's persistence alike) for 30 s while three
# runs print a numbered line every 100 ms on the build hosts, then start it again (`up` does).
# Expected: while it is away the api answers within 2 s — 503 problem+json with Retry-After for
# what needs the database, 200 for a finished run's view it still remembers; the hosts hold their
# log chunks and reports and retry them; afterwards each run ends, and its last attempt's log holds
# every numbered line exactly once, with its gate's result. Nothing stuck.
#   deploy/local-cluster/faults/stop-postgres.sh [seconds down]     (30 by default)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
down_for=${1:-30}
lines=500
PG=$STATE/pg

# a finished run first: each replica answers its view once (asked directly, not through HAProxy's
# round robin), so each remembers it
done_url=$(make_repo pg-outage-finished 'compile:
  - run: echo finished-before-the-outage')
finished=$(rebuild "$done_url")
[ "$(wait_end "$finished" 180)" = passed ] || die "run $finished did not pass before the fault"
for port in "${API_PORTS[@]}"; do
  kc -f -o /dev/null "http://$SERVER_IP:$port/runs/$finished" || die "api on :$port: no view of run $finished"
done

runs=()
for i in 1 2 3; do
  url=$(make_repo "pg-outage-$i" "compile:
  - run: |
      a=\$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
      for n in \$(seq $lines); do echo \"attempt \$a line \$n\"; sleep 0.1; done
gates:
  - name: unit
    run: echo gate-ran")
  runs+=("$(rebuild "$url")")
done
for id in "${runs[@]}"; do wait_until 180 "run $id printing" compiling_on "$id" "line 20\$"; done
echo "runs ${runs[*]} printing on $(for id in "${runs[@]}"; do printf '%s ' "$(field "$id" .host)"; done)"

stopped=$(now_ms)
su postgres -c "pg_ctl -D '$PG/data' -m fast stop" >/dev/null
echo "PostgreSQL stopped at $(date -u +%T) ($(( $(now_ms) - stopped )) ms to stop)"

# probe METHOD PATH [BODY]: prints "status content-type retry-after=… ms"
probe() {
  local began headers status
  began=$(now_ms)
  headers=$(mktemp)
  status=$(curl -sS -o /dev/null -D "$headers" -w '%{http_code} %{content_type}' -m 10 \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -X "$1" "$API$2" \
    ${3:+-d "$3"} || echo "000 none")
  printf '%s retry-after=%s %s ms\n' "$status" \
    "$(tr -d '\r' <"$headers" | awk -F': ' 'tolower($1)=="retry-after"{print $2}')" \
    "$(( $(now_ms) - began ))"
  rm -f "$headers"
}
sleep 2
slow=0 worst=0 wrong=0
for round in 1 2 3; do
  for request in "POST /rebuild {\"repo\":\"$done_url\",\"ref\":\"main\",\"supersede\":false}" \
    "GET /runs?limit=5" "GET /runs/$finished" "GET /runs/${runs[0]}"; do
    read -r method path body <<<"$request"
    answer=$(probe "$method" "$path" "$body")
    echo "  database away, round $round: $method $path -> $answer"
    ms=$(awk '{print $(NF-1)}' <<<"$answer")
    # what needs the database: the api's own 503 problem+json with Retry-After; the finished run
    # both replicas remember: its view
    case "$path" in
      "/runs/$finished") grep -q '^200 ' <<<"$answer" || wrong=$((wrong + 1)) ;;
      "/runs/${runs[0]}") # building: a remembered view, or the 503
        grep -Eq '^(200 |503 application/problem\+json retry-after=[0-9]+ )' <<<"$answer" ||
          wrong=$((wrong + 1)) ;;
      *) grep -Eq '^503 application/problem\+json retry-after=[0-9]+ ' <<<"$answer" ||
        wrong=$((wrong + 1)) ;;
    esac
    [ "$ms" -gt "$worst" ] && worst=$ms
    [ "$ms" -le 2000 ] || slow=$((slow + 1))
  done
  sleep 5
done
echo "slowest answer while the database was away: $worst ms; over 2 s: $slow; not as expected: $wrong"

rest=$(( down_for * 1000 - ($(now_ms) - stopped) ))
[ "$rest" -gt 0 ] && sleep "$(awk -v ms="$rest" 'BEGIN {print ms / 1000}')"
restart_host postgres
back=$(now_ms)
echo "PostgreSQL away for $(( (back - stopped) / 1000 )) s (stop to serving again, \`up\` included)"

problems=0
for id in "${runs[@]}"; do
  result=$(wait_end "$id" 600)
  log=$(run_log "$id")
  last=$(grep -o 'attempt [0-9a-f]* line 1$' <<<"$log" | tail -1 | awk '{print $2}')
  have=$(grep -o "attempt $last line [0-9]*$" <<<"$log" | wc -l)
  distinct=$(grep -o "attempt $last line [0-9]*$" <<<"$log" | sort -u | wc -l)
  gate=$(field "$id" '[.gates[]? | "\(.name)=\(.status)"] | join(",")')
  restarts=$(field "$id" '[.restarts[]?] | length')
  printf 'run %s: %s; last attempt %s: %s lines, %s distinct of %s; gates %s; %s restart(s)\n' \
    "$id" "$result" "$last" "$have" "$distinct" "$lines" "$gate" "$restarts"
  if [ "$result" != passed ] || [ "$have" != "$lines" ] || [ "$distinct" != "$lines" ] ||
    [ "$gate" != "unit=passed" ]; then
    problems=$((problems + 1))
  fi
done
echo "runs: ${#runs[@]}; not passed, incomplete or doubled: $problems"
[ "$problems" = 0 ] && [ "$slow" = 0 ] && [ "$wrong" = 0 ]
