# Shared by deploy/local-cluster/up, down and the fault scripts: where everything lives and runs.
# Sourced, not run. Every setting can be overridden from the environment.

STATE=${KILN_CLUSTER_STATE:-/var/tmp/kiln-cluster}
BRIDGE=${KILN_CLUSTER_BRIDGE:-kilnc0}
NET=${KILN_CLUSTER_NET:-10.77.0}          # a /24 that nothing else on the machine uses
SERVER_IP=$NET.1                          # the bridge's own address: the servers listen here
PUBLISHED_PORT=${KILN_CLUSTER_PORT:-8480} # HAProxy on 127.0.0.1: the only thing on loopback
LB_PORT=8080                              # HAProxy on the bridge, for the workers
API_PORTS=(8081 8082)                     # the two api replicas
PG_PORT=5432
TEMPORAL_PORT=7233
TEMPORAL_HTTP_PORT=7243
UI_PORT=8233
S3_PORT=8333
BUILD_HOSTS=(h1 h2 h3)
HOST_SLOTS=${KILN_CLUSTER_SLOTS:-2}
CONTROL_WORKERS=(control-1 control-2)
# TLS between Kiln and Temporal (mutual) and PostgreSQL; KILN_CLUSTER_TLS=0 runs everything plain.
TLS=${KILN_CLUSTER_TLS:-1}
TEMPORAL_SERVER_NAME=temporal.kiln.cluster

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR_SOURCE=${KILN_DEV_JAR:-$repo_root/temporal-dev/target/kiln-dev.jar}
GOBIN_DIR=${KILN_CLUSTER_GOBIN:-$(go env GOPATH 2>/dev/null || echo /root/go)/bin}
TEMPORAL_SERVER=${TEMPORAL_SERVER:-$GOBIN_DIR/server}
TEMPORAL_SQL_TOOL=${TEMPORAL_SQL_TOOL:-$GOBIN_DIR/sql}
# SeaweedFS: on PATH, else the one .ci/run builds into the user cache (its go.mod's replace
# directive rules out `go install`)
WEED=${WEED:-$(command -v weed || ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/kiln/seaweedfs/*/bin/weed 2>/dev/null | tail -1 || true)}
WEED=${WEED:-$GOBIN_DIR/weed}
UI_SERVER=${TEMPORAL_UI_SERVER:-}
TEMPORAL_MODULE=${TEMPORAL_MODULE:-$(go env GOMODCACHE 2>/dev/null || echo /root/go/pkg/mod)/go.temporal.io/server@v1.32.2}
TEMPORAL_CLI=$(command -v temporal || echo "${XDG_CACHE_HOME:-$HOME/.cache}/kiln/temporal-cli/1.9.1/bin/temporal")
JAVA_HEAP=${KILN_CLUSTER_HEAP:-384m}
# C1 alone, at a quarter of its thresholds: C2 takes the CPU from the builds, and C1 at its own
# thresholds compiles code run a few times per build only after many builds (docs/operations.md,
# "The JIT compiler")
JAVA_JIT=(-XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=0.25)

host_ip() { # h1 -> 10.77.0.11
  echo "$NET.1${1#h}"
}
netns_of() { echo "kilnc-$1"; }
api_url() { echo "http://127.0.0.1:$PUBLISHED_PORT"; }

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { echo "error: $*" >&2; exit 1; }

pid_of() { # the pid a component's file names, if that process still runs
  local f="$STATE/run/$1.pid"
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}
running() { pid_of "$1" >/dev/null; }
any_running() { # whether any component of the cluster still runs
  local f
  for f in "$STATE"/run/*.pid; do
    [ -e "$f" ] && running "$(basename "$f" .pid)" && return 0
  done
  return 1
}

# start NAME CMD...: runs CMD in a session of its own (so `down` can end its whole process group),
# output to $STATE/logs/NAME.log, pid to $STATE/run/NAME.pid
start() {
  local name=$1; shift
  if running "$name"; then log "$name already running (pid $(pid_of "$name"))"; return; fi
  setsid "$@" >>"$STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/run/$name.pid"
}

# stop NAME [signal]: the component's process group, then waits for it to go
stop() {
  local name=$1 sig=${2:-TERM} pid
  pid=$(pid_of "$name") || { rm -f "$STATE/run/$name.pid"; return 0; }
  kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  rm -f "$STATE/run/$name.pid"
}

wait_for() { # wait_for SECONDS DESCRIPTION CMD...: until CMD succeeds
  local seconds=$1 what=$2; shift 2
  for _ in $(seq $((seconds * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  die "$what not ready after ${seconds}s (logs in $STATE/logs)"
}

# the Temporal CLI against the cluster's frontend, with the cluster's client certificate
tctl() {
  local tls=()
  if [ "$TLS" = 1 ]; then
    tls=(--tls-ca-path "$STATE/tls/ca.pem" --tls-cert-path "$STATE/tls/ops.pem"
      --tls-key-path "$STATE/tls/ops.key" --tls-server-name "$TEMPORAL_SERVER_NAME")
  fi
  "$TEMPORAL_CLI" "$@" --address "$SERVER_IP:$TEMPORAL_PORT" "${tls[@]}"
}

# An admin token for the scripts, made once by `up`
admin_token() { cat "$STATE/ops/admin.token"; }
