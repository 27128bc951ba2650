#!/usr/bin/env bash
# Whole-build overhead and the CPU Kiln spends during a build (issue 9), on the dev stack:
#  - a C library (zlib from Debian's source package, in a local git repository whose kiln.yaml
#    runs ./configure and make -j2 as the compile and make test as a gate) built through Kiln,
#    against the same by hand: git clone, ./configure, make -j2, make test. Interleaved, n (5) of
#    each after w (20) uncounted Kiln builds and one by hand; ratio of the wall-time medians
#    (Kiln: the run's queued_at to its finished_at, as the api recorded them);
#  - during each counted Kiln build, with one client polling the run view 5 times a second as a
#    watching user would: the CPU time of each Kiln process from /proc (the dev-stack JVM, which
#    runs the api and the worker; the Temporal server; PostgreSQL, its postmaster and backends),
#    and of the build's own processes.
# The watching client is one process, started once, on one kept-alive connection, as a browser's
# page is (WATCHER=curl: a curl process per poll, as until 2026-12-04, which takes about 5 ms of the
# machine's CPU a poll, 60 ms a build, that no watcher on another machine would; WATCHER=python-per-build:
# a Python process per build, as until the afternoon of 2026-12-04, whose start took about 30 ms of
# the machine's CPU right when the build was being dispatched).
# The by-hand builds run in a cgroup of their own weighing what Kiln's build cgroups weigh (as many
# processes as the machine has cores), so that neither gets more of a busy machine than the other.
# Prints each build, the medians, and the load average before and after.
#   bench/build-overhead.sh [n] [w]      (after ./mvnw -q -B -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
. bench/zlib-source.sh
n=${1:-5}
warm=${2:-20}
cores=$(nproc)

tarball=$(zlib_tarball "$work")
mkdir -p "$work/zlib"
tar xf "$tarball" --strip-components=1 -C "$work/zlib"
printf '%s\n' 'compile:
  - run: ./configure
  - run: make -j"$KILN_CPUS"
gates:
  - name: test
    run: make test' >"$work/zlib/kiln.yaml"
git -C "$work/zlib" init -q -b main
git -C "$work/zlib" add -A
git -C "$work/zlib" -c user.name=bench -c user.email=bench@kiln.dev commit -qm zlib
echo "repository: zlib $(sed -nE 's/^#define ZLIB_VERSION "(.*)"/\1/p' "$work/zlib/zlib.h"), $(git -C "$work/zlib" ls-files | wc -l) files"

# A cgroup for the by-hand builds with the weight of Kiln's (cgroup v1 cpu, as on this machine)
byhand_cgroup=/sys/fs/cgroup/cpu/kiln-bench-by-hand-$$
if mkdir "$byhand_cgroup" 2>/dev/null; then
  echo $((1024 * cores)) >"$byhand_cgroup/cpu.shares"
else
  byhand_cgroup=
  echo "no cgroup v1 cpu hierarchy to write: the by-hand builds run where this script runs"
fi

start_stack
trap 'kill ${watcher_PID:-} $stack 2>/dev/null; wait $stack 2>/dev/null || true; [ -z "$byhand_cgroup" ] || rmdir "$byhand_cgroup" 2>/dev/null || true; rm -rf "$work"' EXIT

# CPU ticks (utime + stime) of one process, 0 once it is gone
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# ... and of the children it has reaped (cutime + cstime)
reaped_ticks() { awk '{print $16 + $17}' "/proc/$1/stat" 2>/dev/null || echo 0; }
temporal_pid=$(pgrep -P "$stack" -f temporal | head -1 || true)
# the embedded PostgreSQL's postmaster runs detached (parent 1): found by its data directory
postmaster_pid=$(pgrep -f -- "bin/postgres -D $work/home/pg" | head -1 || true)
[ -n "$temporal_pid" ] && [ -n "$postmaster_pid" ] || { echo "Temporal or PostgreSQL not found" >&2; exit 1; }
echo "processes: JVM $stack, Temporal $temporal_pid, PostgreSQL postmaster $postmaster_pid"
# PostgreSQL: the postmaster, its live backends, and the backends it reaped
postgres_ticks() {
  local t p
  t=$(($(ticks "$postmaster_pid") + $(reaped_ticks "$postmaster_pid")))
  for p in $(pgrep -P "$postmaster_pid" || true); do t=$((t + $(ticks "$p"))); done
  echo "$t"
}
snapshot() { echo "$(ticks "$stack") $(ticks "$temporal_pid") $(postgres_ticks)"; }
hz=$(getconf CLK_TCK)

# kiln_build: one build through Kiln with a client polling its view 5 times a second; prints
# "<wall ms> <jvm ms> <temporal ms> <postgres ms> <build cpu s> <result>"
kiln_build() {
  local before after id view
  before=$(snapshot)
  id=$(curl -s -X POST "$api/rebuild" -H 'Content-Type: application/json' \
    -d "{\"repo\":\"file://$work/zlib\",\"ref\":\"main\"}" | sed -nE 's/.*"run_id":([0-9]+).*/\1/p')
  [ -n "$id" ] || { echo "rebuild refused" >&2; exit 1; }
  # the watching client: the run view 5 times a second until the run has ended
  if [ "${WATCHER:-}" = curl ]; then
    for _ in $(seq 6000); do
      view=$(curl -s "$api/runs/$id")
      case "$view" in *'"result":"building"'*) sleep 0.2 ;; *) break ;; esac
    done
  elif [ "${WATCHER:-}" = python-per-build ]; then
    view=$(watch_run "$id")
  else
    echo "$id" >&"${watcher[1]}"
    IFS= read -r view <&"${watcher[0]}"
  fi
  after=$(snapshot)
  python3 - "$before" "$after" "$hz" "$view" <<'PY'
import json, sys
from datetime import datetime
before, after, hz, view = sys.argv[1].split(), sys.argv[2].split(), int(sys.argv[3]), json.loads(sys.argv[4])
ts = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
wall = (ts(view["finished_at"]) - ts(view["queued_at"])).total_seconds() * 1000
cpu = [(int(a) - int(b)) * 1000 // hz for a, b in zip(after, before)]
build = sum(s.get("cpu_seconds") or 0 for s in view.get("steps") or [])
print(round(wall), *cpu, round(build, 2), view["result"])
PY
}

# watch_run <run id>: the run view 5 times a second on one connection until the run has ended;
# prints the last view
watch_run() {
  python3 - "${api#http://}" "/runs/$1" <<'PY'
import http.client, sys, time
connection = http.client.HTTPConnection(sys.argv[1], timeout=30)
for _ in range(6000):
    connection.request("GET", sys.argv[2])
    view = connection.getresponse().read().decode()
    if '"result":"building"' not in view:
        break
    time.sleep(0.2)
print(view)
PY
}

# The watching client of every build: reads a run id per line, polls that run's view 5 times a
# second on its one connection until the run has ended, and prints the last view on one line
watcher_program='
import http.client, sys, time
connection = http.client.HTTPConnection(sys.argv[1], timeout=30)
for line in sys.stdin:
    for _ in range(6000):
        for tries in range(3):
            try:
                connection.request("GET", "/runs/" + line.strip())
                view = connection.getresponse().read().decode()
                break
            except (http.client.HTTPException, OSError):
                # a connection the api dropped: open another (the third failure ends the client)
                connection.close()
                if tries == 2:
                    raise
        if "\"result\":\"building\"" not in view:
            break
        time.sleep(0.2)
    print(view.replace("\n", " "), flush=True)
'
if [ "${WATCHER:-}" != curl ] && [ "${WATCHER:-}" != python-per-build ]; then
  # exec: the coprocess's pid is Python's own, which the exit trap kills
  coproc watcher { exec python3 -u -c "$watcher_program" "${api#http://}"; }
fi

# by_hand: clone, configure, make -j, make test in a fresh directory; prints "<wall ms>"
by_hand() {
  local dir s e
  dir="$work/by-hand-$RANDOM$RANDOM"
  s=$(date +%s%N)
  bash -c "${byhand_cgroup:+echo \$\$ > $byhand_cgroup/cgroup.procs;} set -e
    git clone -q file://$work/zlib $dir && cd $dir && ./configure >/dev/null
    make -j$cores >/dev/null && make test >/dev/null"
  e=$(date +%s%N)
  rm -rf "$dir"
  echo $(((e - s) / 1000000))
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
warm_walls=()
for _ in $(seq "$warm"); do
  line=$(kiln_build)
  [ "${line##* }" = passed ] || { echo "warm-up build did not pass: $line" >&2; exit 1; }
  warm_walls+=("${line%% *}")
done
echo "warm-up Kiln builds (uncounted), wall ms: ${warm_walls[*]}"
echo "uncounted by hand: $(by_hand) ms"

kiln_ms=(); hand_ms=(); jvm_ms=(); temporal_ms=(); postgres_ms=(); kiln_total_ms=()
for i in $(seq "$n"); do
  # alternate which goes first, so neither always gets the warmer machine
  if [ $((i % 2)) -eq 1 ]; then first=kiln; else first=hand; fi
  for which in $first $([ $first = kiln ] && echo hand || echo kiln); do
    if [ "$which" = kiln ]; then
      read -r wall jvm temporal postgres build result <<<"$(kiln_build)"
      [ "$result" = passed ] || { echo "build $i: $result" >&2; exit 1; }
      kiln_ms+=("$wall"); jvm_ms+=("$jvm"); temporal_ms+=("$temporal"); postgres_ms+=("$postgres")
      kiln_total_ms+=($((jvm + temporal + postgres)))
      echo "build $i via Kiln: $wall ms; Kiln CPU: JVM $jvm ms, Temporal $temporal ms, PostgreSQL $postgres ms; the build's own CPU ${build} s; load $(cut -d' ' -f1 /proc/loadavg)"
    else
      ms=$(by_hand)
      hand_ms+=("$ms")
      echo "build $i by hand: $ms ms; load $(cut -d' ' -f1 /proc/loadavg)"
    fi
  done
done

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
k=$(median "${kiln_ms[@]}"); h=$(median "${hand_ms[@]}")
echo "whole build: Kiln ${kiln_ms[*]} ms (median $k), by hand ${hand_ms[*]} ms (median $h): ratio $(python3 -c "print(round($k/$h, 3))") (target ≤ 1.05)"
echo "Kiln processes' CPU per build, medians: JVM $(median "${jvm_ms[@]}") ms, Temporal $(median "${temporal_ms[@]}") ms, PostgreSQL $(median "${postgres_ms[@]}") ms; all three together ${kiln_total_ms[*]} ms (median $(median "${kiln_total_ms[@]}"), target ≤ 500)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
