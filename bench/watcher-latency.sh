#!/usr/bin/env bash
# Watcher latency benchmark (issue 13): starts the dev stack in a scratch KILN_HOME on free ports,
# registers a local repository with a 10 s poll interval (no webhook), waits for the first poll's
# build, then n times (default 6): commits on main, and measures push → the watcher's run recorded
# (queued) and push → that run started (its started_at), then waits for the build to end and a
# random 0–10 s so that the next push lands anywhere in the interval. Prints each and the p50s.
#   bench/watcher-latency.sh [n] [interval]   (after ./mvnw -q -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
make_repo "$work/repo" "compile:
  - run: echo compiled"
start_stack

python3 - "$api" "file://$work/repo" "$work/repo" "${1:-6}" "${2:-10s}" <<'PY'
import json, random, statistics, subprocess, sys, time, urllib.parse, urllib.request
from datetime import datetime

api, url, repo_dir, n, interval = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]

def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(api + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"null")

def runs():
    return call("GET", "/runs?repo=" + urllib.parse.quote(repo_url, safe=""))["runs"]

def wait_for(predicate, what, limit=120):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    sys.exit("timed out waiting for " + what)

def ended(run_id):
    return call("GET", "/runs/%d" % run_id)["result"] != "building"

registered = call("POST", "/repos", {"url": url, "branches": ["main"], "poll_interval": interval})
repo_url = registered["url"]
print("registered repository %d, polled every %s (schedule %s)"
      % (registered["id"], interval, registered["watch_schedule"]))
first = wait_for(lambda: runs(), "the first poll's run", 60)[0]
wait_for(lambda: ended(first["run_id"]), "the first build")

queued, started = [], []
for i in range(n):
    time.sleep(random.uniform(0, 10))
    with open(repo_dir + "/kiln.yaml", "a") as f:
        f.write("# push %d\n" % i)
    subprocess.run(["git", "-C", repo_dir, "-c", "user.name=bench", "-c", "user.email=bench@kiln.dev",
                    "commit", "-qam", "push %d" % i], check=True)
    pushed = time.time()
    sha = subprocess.run(["git", "-C", repo_dir, "rev-parse", "HEAD"], check=True,
                         capture_output=True, text=True).stdout.strip()
    run = wait_for(lambda: next((r for r in runs() if r["ref"] == sha), None), "the run of " + sha)
    seen = time.time()
    view = wait_for(lambda: (lambda v: v if v.get("started_at") else None)(
        call("GET", "/runs/%d" % run["run_id"])), "the run starting")
    queued_at = datetime.fromisoformat(view["queued_at"].replace("Z", "+00:00")).timestamp()
    started_at = datetime.fromisoformat(view["started_at"].replace("Z", "+00:00")).timestamp()
    queued.append(queued_at - pushed)
    started.append(started_at - pushed)
    print("push %d: run %d queued after %.2f s, started after %.2f s (seen by the poller after %.2f s)"
          % (i + 1, run["run_id"], queued[-1], started[-1], seen - pushed))
    wait_for(lambda: ended(run["run_id"]), "the build of " + sha)

print("push -> run queued:  p50 %.2f s (min %.2f, max %.2f) over %d pushes"
      % (statistics.median(queued), min(queued), max(queued), n))
print("push -> run started: p50 %.2f s (min %.2f, max %.2f); target <= interval + 1 s"
      % (statistics.median(started), min(started), max(started)))
all_runs = runs()
print("runs of the repository: %d (1 first poll + %d pushes; none doubled: %s)"
      % (len(all_runs), n, len({r["ref"] for r in all_runs}) == len(all_runs) == n + 1))
PY
