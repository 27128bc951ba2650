#!/usr/bin/env bash
# CLI start-up (issue 14): from launching `kiln runs` to its first request reaching the server,
# and to the command's exit, against a loopback listener that answers every request at once with
# an empty page of runs (so the figure is the command's own, not the api's). Variants, interleaved
# round by round:
#   launcher    bin/kiln runs    (what users run: C1 JIT only, serial GC, and the class-data
#               sharing archive of the jar's start-up classes that the build made)
#   no-archive  java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar cli/target/kiln-cli.jar runs
#   plain       java -jar cli/target/kiln-cli.jar runs   (the JVM's default flags)
#   version     bin/kiln --version                 (JVM + picocli, no configuration, no HTTP)
#   jvm         java <the launcher's flags> -version   (the JVM alone)
# Prints each variant's median and p90 over the rounds, and how many classes `kiln runs` loads
# and from where.
#   bench/cli-startup.sh [rounds]          (default 20; after ./mvnw -q -B -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
jar=cli/target/kiln-cli.jar
[ -f "$jar" ] || { echo "build first: ./mvnw -q -B -DskipTests install" >&2; exit 1; }
[ "$jar.jsa" -nt "$jar" ] || { echo "$jar.jsa is missing or stale: ./mvnw -q -B -DskipTests install" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1)"
python3 - "$rounds" "$jar" "$work" <<'PY'
import os, socket, statistics, subprocess, sys, threading, time

rounds, jar, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
arrivals = []
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(16)
port = server.getsockname()[1]
body = b'{"runs":[],"next":null}'

def serve():
    while True:
        conn, _ = server.accept()
        data = conn.recv(65536)
        arrivals.append(time.monotonic_ns())
        while b"\r\n\r\n" not in data:
            more = conn.recv(65536)
            if not more:
                break
            data += more
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        conn.close()

threading.Thread(target=serve, daemon=True).start()
env = dict(os.environ, KILN_URL=f"http://127.0.0.1:{port}", HOME=work)
env.pop("KILN_TOKEN", None)
env.pop("XDG_CONFIG_HOME", None)
launcher_flags = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
variants = {
    "launcher": (["bin/kiln", "runs"], {}, True),
    "no-archive": (["java", *launcher_flags, "-jar", jar, "runs"], {}, True),
    "plain": (["java", "-jar", jar, "runs"], {}, True),
    "version": (["bin/kiln", "--version"], {}, False),
    "jvm": (["java", *launcher_flags, "-version"], {}, False),
}
to_request = {name: [] for name in variants}
to_exit = {name: [] for name in variants}
for _ in range(2):  # uncounted: page cache warm for every variant
    for command, extra, _ in variants.values():
        subprocess.run(command, env=dict(env, **extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(rounds):
    for name, (command, extra, requests) in variants.items():
        before = len(arrivals)
        start = time.monotonic_ns()
        done = subprocess.run(command, env=dict(env, **extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        end = time.monotonic_ns()
        if done.returncode != 0:
            sys.exit(f"{name}: exit {done.returncode}: {done.stderr.decode()}")
        to_exit[name].append((end - start) / 1e6)
        if requests:
            if len(arrivals) != before + 1:
                sys.exit(f"{name}: expected one request, got {len(arrivals) - before}")
            to_request[name].append((arrivals[-1] - start) / 1e6)

def p90(values):
    return sorted(values)[max(0, int(round(0.9 * len(values))) - 1)]

for name in variants:
    line = f"{name:10}"
    if to_request[name]:
        line += f"  to first request: median {statistics.median(to_request[name]):6.1f} ms, p90 {p90(to_request[name]):6.1f} ms"
    else:
        line += " " * 58
    line += f"  to exit: median {statistics.median(to_exit[name]):6.1f} ms, p90 {p90(to_exit[name]):6.1f} ms"
    print(line)

# Where the time goes inside `kiln runs`, from the JVM's class-loading log (uptime stamps): the
# main class, the command's first own step (reading the configuration), the HTTP connection class
# (the request follows within a millisecond or two), the JVM's shutdown. Medians of 5.
import re
marks = {"main": "] dev.kiln.cli.Kiln ", "command": "] dev.kiln.cli.config.CliConfig ",
         "connection": "] sun.net.www.protocol.http.HttpURLConnection ", "exit": "] java.lang.Shutdown "}
seen = {name: [] for name in marks}
for i in range(5):
    timeline = os.path.join(work, f"timeline-{i}.log")
    subprocess.run(["bin/kiln", "runs"], env=dict(env, KILN_JAVA_OPTS=f"-Xlog:class+load:file={timeline}:uptime"),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for line in open(timeline):
        for name, mark in marks.items():
            if mark in line and len(seen[name]) == i:
                seen[name].append(float(re.match(r"\[([0-9.]+)s\]", line).group(1)) * 1000)
at = {name: statistics.median(values) for name, values in seen.items()}
print(f"inside the JVM (uptime, medians of 5): main class {at['main']:.0f} ms; picocli parses and "
      f"reaches the command at {at['command']:.0f} ms (+{at['command'] - at['main']:.0f}); HTTP connection "
      f"at {at['connection']:.0f} ms (+{at['connection'] - at['command']:.0f}); exit at {at['exit']:.0f} ms "
      f"(+{at['exit'] - at['connection']:.0f}: the answer, Jackson, the table)")

log = os.path.join(work, "classes.log")
subprocess.run(["bin/kiln", "runs"], env=dict(env, KILN_JAVA_OPTS=f"-Xlog:class+load:file={log}"),
               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
lines = open(log).read().splitlines()
shared = sum("shared objects file" in l for l in lines)
from_jar = sum("kiln-cli.jar" in l for l in lines)
print(f"classes loaded by `kiln runs`: {len(lines)} ({shared} from CDS archives, the JDK's and the "
      f"build's; {from_jar} read from kiln-cli.jar; {len(lines) - shared - from_jar} from the JDK's modules)")
for prefix in ("picocli.", "com.fasterxml.jackson.", "java.net.http.", "jdk.internal.net.http.", "dev.kiln."):
    print(f"  {prefix:25} {sum(('] ' + prefix) in l for l in lines)}")
PY
