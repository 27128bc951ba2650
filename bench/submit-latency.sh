#!/usr/bin/env bash
# Local submission latency (issue 14): `kiln rebuild DIR --follow` of a git working tree of 5 000
# files (4 990 committed, 10 of them changed and 10 untracked files added, none committed), from
# the command's launch to:
#   queued      its line "run N queued in lane …" on stderr: the snapshot was made, uploaded, stored
#               by the api and the run's workflow started (the 202 of POST /submissions). This is
#               "upload and start", target ≤ 1 s.
#   first log   the run's first log line on stdout ("fetch on <host>"): a worker took the fetch
#   exit        the run passed and the command exited 0
# Each round is a new run of the same directory (a new snapshot each time); the figures are the
# medians and maxima over the rounds, after one uncounted round.
#   bench/submit-latency.sh [rounds]   (default 5; after ./mvnw -q -B -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
[ -f cli/target/kiln-cli.jar ] || { echo "build first: ./mvnw -q -B -DskipTests install" >&2; exit 1; }
source bench/lib.sh
start_stack

tree="$work/tree"
mkdir -p "$tree"
python3 - "$tree" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(50):
    os.makedirs(os.path.join(root, f"pkg{d:02}"), exist_ok=True)
    for f in range(100):
        if d * 100 + f < 4990:
            with open(os.path.join(root, f"pkg{d:02}", f"file{f:03}.c"), "w") as out:
                out.write(f"/* file {d}/{f} */\nint f_{d}_{f}(void) {{ return {f}; }}\n" * 10)
PY
printf 'compile:\n  - run: echo "built $(find . -name "*.c" | wc -l) files"\n' > "$tree/kiln.yaml"
printf '*.o\n' > "$tree/.gitignore"
git -C "$tree" init -q -b main
git -C "$tree" add -A
git -C "$tree" -c user.name=bench -c user.email=bench@kiln.dev commit -qm bench
for f in $(seq 0 9); do
  echo "/* changed */" >> "$tree/pkg00/file00$f.c"      # 10 uncommitted changes
  echo "int extra_$f;" > "$tree/pkg49/extra$f.c"          # 10 untracked files
  echo "object" > "$tree/pkg48/ignored$f.o"               # ignored, not uploaded
done
files=$(git -C "$tree" ls-files --cached --others --exclude-standard | sort -u | wc -l)

echo "uptime: $(uptime)"
echo "$(java -version 2>&1 | head -1); working tree: $files files, $(du -sh --exclude=.git "$tree" | cut -f1)"
KILN_URL=$api python3 - "$rounds" "$tree" <<'PY'
import os, statistics, subprocess, sys, threading, time

rounds, tree = int(sys.argv[1]), sys.argv[2]

def one():
    start = time.monotonic()
    marks = {}
    proc = subprocess.Popen(["bin/kiln", "rebuild", tree, "--follow"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    def read_err():
        for line in proc.stderr:
            if "queued in lane" in line and "queued" not in marks:
                marks["queued"] = time.monotonic() - start
            if line.startswith("uploading"):
                marks["upload line"] = line.strip()
    err = threading.Thread(target=read_err)
    err.start()
    for line in proc.stdout:
        if "first log" not in marks:
            marks["first log"] = time.monotonic() - start
    code = proc.wait()
    err.join()
    marks["exit"] = time.monotonic() - start
    if code != 0:
        sys.exit(f"kiln exited {code}")
    return marks

first = one()
print(f"uncounted round: {first['upload line']}")
results = [one() for _ in range(rounds)]
for name in ("queued", "first log", "exit"):
    values = [r[name] * 1000 for r in results]
    print(f"launch → {name:9}: median {statistics.median(values):7.0f} ms, max {max(values):7.0f} ms"
          f"   ({', '.join(f'{v:.0f}' for v in values)})")
PY
