#!/usr/bin/env bash
# GET /runs/{id} under load (issue 4): starts the dev stack in a scratch KILN_HOME on free ports,
# builds a repository with artifacts and three gates (one failing) to its end, then drives
# `wrk -t2 -c32 -d20s --latency` against the finished run's view on loopback (after a 5 s warm-up)
# and prints requests/s and p99. wrk is installed with apt-get when missing. Stops the stack.
#   bench/run-view-load.sh [wrk options]      (after ./mvnw -q -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  [ "$(id -u)" -eq 0 ] && sudo= || sudo="sudo -n"
  $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq wrk >/dev/null
fi
. bench/lib.sh
make_repo "$work/repo" 'compile:
  - run: mkdir -p out && for i in 1 2 3; do head -c 100000 /dev/urandom > out/lib$i.so; done
stage:
  artifacts: ["out/*.so"]
gates:
  - name: unit
    run: echo "tests ok"
  - name: lint
    run: echo "lint ok"
  - name: style
    run: echo "style, 3 issues" && false
    required: false'
start_stack

id=$(curl -s -H 'Content-Type: application/json' -d "{\"repo\":\"file://$work/repo\"}" \
  "$api/rebuild" | sed -nE 's/.*"run_id":([0-9]+).*/\1/p')
[ -n "$id" ] || { echo "rebuild refused" >&2; exit 1; }
view=$(wait_run "$id")
gates=$(echo "$view" | grep -o '"log_ref"' | wc -l)
artifacts=$(echo "$view" | grep -o '"sha256"' | wc -l)
echo "run $id: $(echo "$view" | grep -o '"result":"[a-z]*"'), $gates gates, $artifacts artifacts, ${#view} bytes"
[ "$gates" -eq 3 ] && [ "$artifacts" -eq 3 ] || { echo "expected 3 gates and 3 artifacts: $view" >&2; exit 1; }
url="$api/runs/$id"

wrk -t2 -c32 -d5s "$url" >/dev/null # warm-up: JIT, connection pool
out=$(wrk -t2 -c32 -d20s --latency "${@}" "$url")
echo "$out"
rps=$(echo "$out" | sed -nE 's/^Requests\/sec: *([0-9.]+).*/\1/p')
p99=$(echo "$out" | sed -nE 's/^ *99% +([0-9.]+[a-z]+).*/\1/p')
non2xx=$(echo "$out" | sed -nE 's/^ *Non-2xx or 3xx responses: *([0-9]+).*/\1/p')
echo "GET /runs/$id: ${rps} requests/s, p99 ${p99}, non-2xx ${non2xx:-0}"
