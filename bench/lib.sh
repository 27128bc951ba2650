# Shared by the benchmark scripts: a dev stack in a scratch KILN_HOME on free loopback ports.
# After `start_stack`, $api is the api's base URL and $work a scratch directory; both are cleaned
# up when the script exits.
# KILN_DEV_JAR: a copy of the jar, so that a rebuild meanwhile cannot pull it from under the stack
jar=${KILN_DEV_JAR:-temporal-dev/target/kiln-dev.jar}
[ -f "$jar" ] || { echo "build first: ./mvnw -q -B -DskipTests install" >&2; exit 1; }
# A jar older than the sources measures code that is no longer there (a stale jar once made a
# fixed bug look like a regression).
# The build time is read from inside the jar (its newest entry), so a copy made later tells the
# truth too.
built=$(python3 -c 'import sys,zipfile,datetime; print(max(datetime.datetime(*i.date_time).timestamp() for i in zipfile.ZipFile(sys.argv[1]).infolist()))' "$jar")
stale_by=$(python3 - "$built" "$(dirname "${BASH_SOURCE[0]}")/.." <<'PY'
import os, sys
built, root = float(sys.argv[1]), sys.argv[2]
for top in ("workflows", "activities", "worker", "api", "temporal-dev"):
    for d, _, files in os.walk(os.path.join(root, top, "src", "main")):
        for f in files:
            p = os.path.join(d, f)
            if os.path.getmtime(p) > built + 1:
                print(p); sys.exit()
PY
)
if [ -n "$stale_by" ]; then
  echo "$jar was built before $stale_by changed: rebuild first (./mvnw -q -B -DskipTests install)" >&2
  exit 1
fi
work=$(mktemp -d)

# free_port: a loopback port free now, below the kernel's ephemeral range when there is room (as
# Ports.freePort does for the dev stack): a bind(0) port may go to an outgoing connection before
# the stack's child process binds it.
free_port() {
  python3 - <<'PY'
import random, socket
try:
    low, high = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
except OSError:
    low, high = 32768, 60999
for _ in range(200 if low - 10000 >= 1000 else 0):
    port = random.randint(10000, low - 1)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    print(port)
    break
else:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
PY
}

# make_repo <dir> <kiln.yaml content>: a one-commit git repository on main.
make_repo() {
  mkdir -p "$1"
  printf '%s\n' "$2" > "$1/kiln.yaml"
  git -C "$1" init -q -b main
  git -C "$1" add kiln.yaml
  git -C "$1" -c user.name=bench -c user.email=bench@kiln.dev commit -qm bench
}

# make_sleeping_repo <dir>: a repository whose compile writes its pid (= its process group) to
# $work/marks/pid, prints "ready" and sleeps, honouring SIGTERM: the build the lane-control
# benchmarks cancel, supersede or lose. A sandboxed build can neither write into $work nor have a
# pid the host can signal, so the stacks of these benchmarks run builds without a sandbox
# (KILN_WORKER_SANDBOX=none, set here for start_stack and the extra workers).
make_sleeping_repo() {
  export KILN_WORKER_SANDBOX=none
  mkdir -p "$work/marks"
  make_repo "$1" "compile:
  - run: echo \$\$ > $work/marks/pid; echo ready; sleep 600 & wait"
}

# The JVM flags of the stack: those the README starts it with, unless KILN_BENCH_JVM_FLAGS says
# otherwise (set it empty to measure the JVM's defaults side by side).
jvm_flags=${KILN_BENCH_JVM_FLAGS--XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=0.25}

start_stack() {
  local api_port temporal_port ui_port
  api_port=$(free_port); temporal_port=$(free_port); ui_port=$(free_port)
  KILN_HOME="$work/home" SERVER_PORT=$api_port KILN_TEMPORAL_PORT=$temporal_port \
    KILN_TEMPORAL_UI_PORT=$ui_port java $jvm_flags -jar "$jar" >"$work/stack.log" 2>&1 &
  stack=$!
  trap 'kill $stack 2>/dev/null; wait $stack 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 480); do
    grep -q "Kiln is up" "$work/stack.log" && break
    kill -0 $stack 2>/dev/null || { cat "$work/stack.log"; exit 1; }
    sleep 0.5
  done
  grep -q "Kiln is up" "$work/stack.log" || { echo "stack not up"; tail -50 "$work/stack.log"; exit 1; }
  api="http://127.0.0.1:$api_port"
}

# wait_run <run id>: until the run has a terminal result; prints the run view.
wait_run() {
  local view
  for _ in $(seq 1200); do
    view=$(curl -s "$api/runs/$1")
    case "$view" in *'"result":"building"'*) sleep 0.5 ;; *) echo "$view"; return ;; esac
  done
  echo "run $1 did not end" >&2; exit 1
}
