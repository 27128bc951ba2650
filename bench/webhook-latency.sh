#!/usr/bin/env bash
# Webhook latency benchmark (issue 13): starts the dev stack in a scratch KILN_HOME on free ports,
# registers a local repository, then n times (default 50): commits on main and delivers GitHub's
# push event for it, signed with the repository's webhook secret, to POST /hooks/github, and
# measures delivery sent → the 202 that lists the run (by then the run is recorded queued and its
# lane's workflow has it), then waits for the build to end so that no delivery supersedes another.
# Each answer's run is checked in the run view (queued_at after the delivery was sent).
# Prints each and the p50.
#   bench/webhook-latency.sh [n]   (after ./mvnw -q -B -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
make_repo "$work/repo" "compile:
  - run: echo compiled"
start_stack

python3 - "$api" "file://$work/repo" "$work/repo" "${1:-50}" <<'PY'
import hashlib, hmac, json, statistics, subprocess, sys, time, urllib.request, uuid
from datetime import datetime, timezone

api, url, repo_dir, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def call(method, path, body=None, headers=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(api + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request) as answer:
        return answer.status, json.loads(answer.read() or b"null")

def git(*args):
    return subprocess.run(["git", "-C", repo_dir, "-c", "user.name=bench",
                           "-c", "user.email=bench@kiln.dev", *args],
                          check=True, capture_output=True, text=True).stdout.strip()

def wait_ended(run_id, limit=120):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        view = call("GET", "/runs/%d" % run_id)[1]
        if view["result"] != "building":
            return view
        time.sleep(0.05)
    sys.exit("run %d did not end" % run_id)

_, registered = call("POST", "/repos", {"url": url, "branches": ["main"]})
secret = registered["webhook_secret"].encode()
print("registered repository %d (%s)" % (registered["id"], registered["url"]))

def deliver():
    before = git("rev-parse", "HEAD")
    git("commit", "-q", "--allow-empty", "-m", "push")
    after = git("rev-parse", "HEAD")
    # the fields of GitHub's push event that Kiln reads, as GitHub's documentation gives them
    body = json.dumps({
        "ref": "refs/heads/main", "before": before, "after": after, "created": False,
        "deleted": False, "forced": False,
        "repository": {"name": "repo", "full_name": "bench/repo", "clone_url": registered["url"],
                       "html_url": registered["url"], "default_branch": "main"},
        "pusher": {"name": "bench", "email": "bench@kiln.dev"},
        "head_commit": {"id": after, "message": "push"},
    }).encode()
    signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    sent_wall = datetime.now(timezone.utc)
    sent = time.perf_counter()
    status, answer = call("POST", "/hooks/github", body, {
        "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": signature})
    millis = (time.perf_counter() - sent) * 1000
    if status != 202 or len(answer["runs"]) != 1:
        sys.exit("delivery answered %d %s" % (status, answer))
    run_id = answer["runs"][0]["run_id"]
    view = wait_ended(run_id)
    queued_at = datetime.fromisoformat(view["queued_at"].replace("Z", "+00:00"))
    if view["sha"] != after or queued_at < sent_wall:
        sys.exit("run %d is not this delivery's: %s" % (run_id, view))
    return millis

for _ in range(3):
    deliver()  # uncounted: the JIT, the lane's workflow, the mirror
times = []
for i in range(n):
    times.append(deliver())
    print("delivery %2d: %.0f ms" % (i + 1, times[-1]))
times.sort()
print("webhook delivery sent -> 202 with the run queued, %d deliveries: p50 %.0f ms, p90 %.0f ms,"
      " max %.0f ms" % (n, statistics.median(times), times[int(0.9 * (n - 1))], times[-1]))
PY
