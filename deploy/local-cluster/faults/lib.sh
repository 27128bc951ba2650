# Shared by the fault scripts: a client of the running local cluster (deploy/local-cluster/up).
# Everything goes through HAProxy's published port with the ops token `up` made.
faults_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$faults_dir/../lib.sh"
[ "$(id -u)" = 0 ] || die "run as root (the faults kill processes and take links down)"
running haproxy || die "the local cluster is not up: deploy/local-cluster/up"
API=$(api_url)
TOKEN=$(admin_token)

kc() { curl -sS -H "Authorization: Bearer $TOKEN" "$@"; }
now_ms() { date +%s%3N; }

# make_repo NAME KILN_YAML: a one-commit repository under $STATE/repos (readable by the build
# hosts, read-only to them); prints its file:// URL
make_repo() {
  local dir=$STATE/repos/$1
  rm -rf "$dir"; mkdir -p "$dir"
  printf '%s\n' "$2" > "$dir/kiln.yaml"
  git -C "$dir" init -q -b main
  git -C "$dir" add kiln.yaml
  git -C "$dir" -c user.name=faults -c user.email=faults@kiln.dev commit -qm "$1"
  echo "file://$dir"
}
push() { # push NAME MESSAGE: one more commit on main
  git -C "$STATE/repos/$1" -c user.name=faults -c user.email=faults@kiln.dev \
    commit -q --allow-empty -m "$2"
}

# rebuild URL [json fields]: starts a run of main; prints its id
rebuild() {
  local body="{\"repo\":\"$1\",\"ref\":\"main\"${2:+,$2}}" answer
  answer=$(kc -X POST "$API/rebuild" -H 'Content-Type: application/json' -d "$body")
  jq -er .run_id <<<"$answer" || { echo "rebuild refused: $answer" >&2; return 1; }
}
view() { kc "$API/runs/$1"; }
field() { view "$1" | jq -r "$2"; }
run_log() { kc "$API/runs/$1/logs"; }

# wait_until SECONDS DESCRIPTION CMD...: polls CMD every 0.2 s
wait_until() {
  local seconds=$1 what=$2 deadline; shift 2
  deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out after ${seconds}s waiting for $what" >&2; return 1; }
    sleep 0.2
  done
}
ended() { [ "$(field "$1" .result)" != building ] && [ "$(field "$1" .result)" != null ]; }
# wait_end ID [SECONDS]: until the run has a terminal result; prints it
wait_end() {
  wait_until "${2:-600}" "run $1 to end" ended "$1" || true
  field "$1" .result
}
compiling_on() { # compiling_on ID MARK: the run's log has MARK and the view names a host
  run_log "$1" | grep -q "$2" && [ "$(field "$1" .host)" != null ]
}

# host_of_pid … the build host whose worker JVM is PID
restart_host() { # restart_host NAME: `up` again starts whatever is missing (here: that host)
  "$faults_dir/../up" > "$STATE/logs/up-again.log" 2>&1 || { tail -20 "$STATE/logs/up-again.log"; return 1; }
}
percentile() { # percentile P < numbers
  sort -n | awk -v p="$1" '{v[NR]=$1} END {i=int((p/100)*NR+0.999999); if(i<1)i=1; print v[i]}'
}
