#!/usr/bin/env bash
# Log latency benchmark (issue 4): starts the dev stack in a scratch KILN_HOME on free ports,
# builds a repository whose compile prints a timestamped line every 20 ms for 20 s, follows the
# run's SSE log on loopback and prints p50/p99 of write → receive. Stops the stack at the end.
#   bench/log-latency.sh            (after ./mvnw -q -B -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=temporal-dev/target/kiln-dev.jar
[ -f "$jar" ] || { echo "build first: ./mvnw -q -B -DskipTests install" >&2; exit 1; }

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api_port=$(free_port); temporal_port=$(free_port); ui_port=$(free_port)

mkdir -p "$work/repo"
cat > "$work/repo/kiln.yaml" <<'YAML'
compile:
  - run: for i in $(seq 1000); do echo "tick $(date +%s%N)"; sleep 0.02; done
YAML
git -C "$work/repo" init -q -b main
git -C "$work/repo" add kiln.yaml
git -C "$work/repo" -c user.name=bench -c user.email=bench@kiln.dev commit -qm bench

KILN_HOME="$work/home" SERVER_PORT=$api_port KILN_TEMPORAL_PORT=$temporal_port \
  KILN_TEMPORAL_UI_PORT=$ui_port java -jar "$jar" >"$work/stack.log" 2>&1 &
stack=$!
trap 'kill $stack 2>/dev/null; wait $stack 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 240); do
  grep -q "Kiln is up" "$work/stack.log" && break
  kill -0 $stack 2>/dev/null || { cat "$work/stack.log"; exit 1; }
  sleep 0.5
done
grep -q "Kiln is up" "$work/stack.log" || { echo "stack not up"; tail -50 "$work/stack.log"; exit 1; }

java bench/LogLatency.java "http://127.0.0.1:$api_port" "file://$work/repo"
