#!/usr/bin/env bash
# Sandbox overhead benchmark (issue 11), with Kiln's own process runner and sandbox, no dev stack:
#  - the same C library build (zlib from Debian's source package: configure, make, make test), run
#    plainly and in the sandbox, interleaved, n each (5), after one uncounted build of each:
#    ratio of the medians, sandboxed / plain;
#  - a step that runs `true`, m times each way (200), before the builds and again after them:
#    from preparing the step to its sandbox gone
#    (cgroup, bwrap, limit watch, teardown) against setsid bash alone: the start latency the
#    sandbox adds, p50.
# Prints the machine's load average before and after.
#   bench/sandbox-overhead.sh [n] [m]     (after ./mvnw -q -B -DskipTests install; needs bwrap, cgroups)
# The zlib source comes from deb.debian.org with a private apt source list (nothing is changed in
# /etc/apt); set ZLIB_TARBALL to use another configure/make/make-test tarball instead.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. bench/zlib-source.sh
tarball=$(zlib_tarball "$work")
echo "source: ${ZLIB_TARBALL:-the zlib source package of Debian} ($(du -h "$tarball" | cut -f1))"

./mvnw -q -B -pl activities dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$work/classpath" >/dev/null
java -cp "activities/target/classes:$(cat "$work/classpath")" bench/SandboxOverhead.java \
  "$work/run" "$tarball" "${1:-5}" "${2:-200}"
