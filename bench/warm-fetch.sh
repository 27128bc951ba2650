#!/usr/bin/env bash
# Warm fetch (issue 9): Kiln's mirror of an unchanged repository of 50 000 commits (about 1000 tags
# and 20 branches), updated, against cloned afresh, both through MirrorCache in one JVM over
# file://, interleaved (bench/WarmFetch.java); ratio of the medians, target ≤ 0.05. For scale, the
# git CLI's `clone --mirror` and `fetch` of the same repository.
#   bench/warm-fetch.sh [rounds] [warm fetches per round]    (after ./mvnw -q -B -DskipTests install)
# Needs git (to generate the repository with fast-import) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The repository: 50 000 commits, each changing one of 500 small files in 50 directories; a tag
# every 50 commits, a branch every 2500, then packed as a server would keep it.
git init -q --bare "$work/origin.git"
python3 - <<'PY' | git -C "$work/origin.git" fast-import --quiet
import sys
out = sys.stdout.buffer
for i in range(1, 50001):
    path = b"src/dir%02d/file%03d.c" % (i % 50, i % 500)
    content = b"/* revision %d */\nint f%d(void) { return %d; }\n" % (i, i % 500, i)
    msg = b"commit %d\n" % i
    out.write(b"commit refs/heads/main\ncommitter Bench <bench@kiln.dev> %d +0000\n" % (1600000000 + i))
    out.write(b"data %d\n%s" % (len(msg), msg))
    out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(content), content))
    if i % 50 == 0:
        out.write(b"reset refs/tags/r%d\nfrom refs/heads/main\n\n" % i)
    if i % 2500 == 0:
        out.write(b"reset refs/heads/branch%d\nfrom refs/heads/main\n\n" % i)
PY
git -C "$work/origin.git" symbolic-ref HEAD refs/heads/main
git -C "$work/origin.git" repack -adq
git -C "$work/origin.git" pack-refs --all
echo "repository: $(git -C "$work/origin.git" rev-list --count main) commits, $(git -C "$work/origin.git" show-ref | wc -l) refs, $(du -sh "$work/origin.git/objects/pack" | cut -f1) of packs"

./mvnw -q -B -pl activities dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$work/classpath" >/dev/null
# INFO, not logback's default DEBUG: JGit logs a line per object looked up while cloning
mkdir -p "$work/logging"
cat >"$work/logging/logback.xml" <<'XML'
<configuration>
  <appender name="err" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} %msg%n</pattern></encoder></appender>
  <root level="WARN"><appender-ref ref="err"/></root>
</configuration>
XML
java -cp "$work/logging:activities/target/classes:$(cat "$work/classpath")" bench/WarmFetch.java \
  "$work/run" "file://$work/origin.git" "${1:-5}" "${2:-20}"

# For scale: the git CLI, same repository, same machine, right after
clone_ms=(); fetch_ms=()
for i in 1 2 3; do
  s=$(date +%s%N); git clone -q --mirror "file://$work/origin.git" "$work/git-$i.git"; e=$(date +%s%N)
  clone_ms+=($(( (e - s) / 1000000 )))
  s=$(date +%s%N); git -C "$work/git-$i.git" fetch -q --prune origin; e=$(date +%s%N)
  fetch_ms+=($(( (e - s) / 1000000 )))
done
echo "git CLI for scale: clone --mirror ${clone_ms[*]} ms, fetch of the unchanged repository ${fetch_ms[*]} ms"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
