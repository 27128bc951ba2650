#!/usr/bin/env bash
# Output capture (issue 9): a command that writes 200 MB as fast as it can, timed inside a Kiln
# build (output relayed into the step's spool, streamed to the log, capped per run) against the
# same command writing into a file in the temp directory: keeping output means copying all of it
# at least once, so a file is the fair baseline. Prints Kiln ÷ file (target ≤ 1.10) and, for
# scale, the same command piped through cat to /dev/null and writing to /dev/null, which keeps
# nothing (the retired baseline of issue 4). Interleaved, n (7) of each after 5 uncounted builds.
#   bench/output-throughput.sh [n]      (after ./mvnw -q -B -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

# `yes` dies of SIGPIPE when head has enough, which pipefail (Kiln runs bash -eo pipefail) would
# report as a failure: hence the `|| true`, in both measurements alike.
writer='{ yes "kiln throughput line 0123456789 abcdefghijklmnopqrstuvwxyz" | head -c 200000000; } || true'
make_repo "$work/repo" "compile:
  - run: s=\$(date +%s%N); $writer; e=\$(date +%s%N); echo \$(( (e - s) / 1000000 )) > elapsed_ms
gates:
  # The run's log is capped at 64 MiB, so the figure travels in an optional gate's summary.
  - name: report
    run: echo \"ELAPSED_MS \$(cat elapsed_ms)\"; exit 1
    required: false"
start_stack

kiln_run() {
  local id view ms
  id=$(curl -s -X POST "$api/rebuild" -H 'Content-Type: application/json' \
    -d "{\"repo\":\"file://$work/repo\",\"supersede\":false}" | sed -nE 's/.*"run_id":([0-9]+).*/\1/p')
  view=$(wait_run "$id")
  ms=$(echo "$view" | sed -nE 's/.*ELAPSED_MS ([0-9]+).*/\1/p')
  [ -n "$ms" ] || { echo "run $id reported no figure: $view" >&2; exit 1; }
  echo "$ms"
}
# A worker runs for days: five builds first, not counted, so the JIT has compiled the output path
warm_ms=()
for _ in 1 2 3 4 5; do warm_ms+=("$(kiln_run)"); done
echo "warm-up builds: ${warm_ms[*]} ms"
# Interleaved, so that a noisy neighbour on the shared machine weighs on all four alike
n=${1:-7}
base_ms=(); pipe_ms=(); file_ms=(); kiln_ms=()
for _ in $(seq "$n"); do
  s=$(date +%s%N); bash -c "$writer" > "$work/output.txt"; e=$(date +%s%N)
  file_ms+=($(( (e - s) / 1000000 ))); rm -f "$work/output.txt"
  s=$(date +%s%N); bash -c "$writer" > /dev/null; e=$(date +%s%N)
  base_ms+=($(( (e - s) / 1000000 )))
  s=$(date +%s%N); bash -c "$writer" | cat > /dev/null; e=$(date +%s%N)
  pipe_ms+=($(( (e - s) / 1000000 )))
  kiln_ms+=("$(kiln_run)")
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
ratio() { python3 -c "print(round($1 / $2, 3))"; }
b=$(median "${base_ms[@]}"); k=$(median "${kiln_ms[@]}"); p=$(median "${pipe_ms[@]}")
f=$(median "${file_ms[@]}")
echo "200 MB of output, $n of each: into a file in $work ${file_ms[*]} ms (median $f), under Kiln ${kiln_ms[*]} ms (median $k): Kiln ÷ file $(ratio "$k" "$f")"
echo "for scale: | cat > /dev/null ${pipe_ms[*]} ms (median $p), > /dev/null ${base_ms[*]} ms (median $b); Kiln ÷ /dev/null $(ratio "$k" "$b")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
