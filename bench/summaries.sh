#!/usr/bin/env bash
# Failure summary benchmark (issue 16): does a failed test run's summary name the failing test and
# quote its assertion (with file and line)? For the one-file projects under bench/summaries/ (one
# per test runner Kiln detects, each with add(2, 3) returning -1 where its test expects 5) and for
# real open-source projects from the package registries with one line of their code broken:
#   go-version  github.com/hashicorp/go-version v1.6.0 (Go module proxy): GreaterThan uses >=
#   semver      the semver crate 1.0.23 (crates.io, through cargo vendor): an exact patch matches
#   minimist    minimist 1.2.8 (npm): numbers with a fraction or exponent are no numbers
#   six         six 1.16.0 (PyPI sdist; Python is not detected, so a kiln.yaml names its report):
#               six.b encodes as UTF-8
# Every run starts at once on one dev stack with two slots; prints one line per project and a
# Markdown table: names the test (yes/no), quotes the assertion (yes/no), the summary.
#   bench/summaries.sh                    (after ./mvnw -q -B -DskipTests install)
#   KILN_DEV_JAR=/other/kiln-dev.jar bench/summaries.sh    the same projects on another build
# Needs go, cargo, node with npm, python3 with pip and pytest, cmake, autoconf with automake, a C
# compiler, mvn, gradle, just and task (.ci/run installs them) on the machine (the builds run in the dev stack's sandbox), and the
# registries.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
export KILN_WORKER_SLOTS=${KILN_WORKER_SLOTS:-2}
start_stack
repos="$work/repos"
mkdir -p "$repos" "$work/fetch"

commit() { # commit <dir>: a one-commit repository on main
  git -C "$1" init -q -b main
  git -C "$1" add -A
  git -C "$1" -c user.name=bench -c user.email=bench@kiln.dev commit -qm "$(basename "$1")"
}

# break_line <file> <line> <from> <to>: the one-line change; fails if the line is not as expected
break_line() {
  python3 - "$@" <<'PY'
import sys
path, number, old, new = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
lines = open(path).read().split("\n")
if old not in lines[number - 1]:
    sys.exit(f"{path}:{number} does not contain {old!r}: {lines[number - 1]!r}")
lines[number - 1] = lines[number - 1].replace(old, new)
open(path, "w").write("\n".join(lines))
PY
}

for fixture in bench/summaries/*/; do
  name=$(basename "$fixture")
  cp -r "$fixture" "$repos/$name"
  # An autotools project's release ships configure and Makefile.in, which Kiln detects.
  if [ -f "$repos/$name/configure.ac" ]; then
    (cd "$repos/$name" && autoreconf -fi >/dev/null 2>&1)
  fi
  commit "$repos/$name"
done

# Go: a module as the Go module proxy serves it.
(cd "$work/fetch" && GOFLAGS=-modcacherw GOMODCACHE="$work/fetch/gomod" \
  go mod download -json github.com/hashicorp/go-version@v1.6.0 >/dev/null)
cp -r "$work/fetch/gomod/github.com/hashicorp/go-version@v1.6.0" "$repos/go-version"
chmod -R u+w "$repos/go-version"
break_line "$repos/go-version/version.go" 298 "return v.Compare(o) > 0" "return v.Compare(o) >= 0"
commit "$repos/go-version"

# Rust: the crate as crates.io serves it, tests included.
mkdir -p "$work/fetch/vend/src"
printf '[package]\nname = "vend"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\nsemver = "=1.0.23"\n' \
  >"$work/fetch/vend/Cargo.toml"
touch "$work/fetch/vend/src/lib.rs"
(cd "$work/fetch/vend" && CARGO_HOME="$work/fetch/cargo" cargo vendor -q vendor >/dev/null)
cp -r "$work/fetch/vend/vendor/semver" "$repos/semver"
rm -f "$repos/semver/.cargo-checksum.json"
break_line "$repos/semver/src/eval.rs" 57 "return false;" "return true;"
commit "$repos/semver"

# npm: the package's tarball, which ships its tape tests; npm test runs lint, then nyc tape.
(cd "$work/fetch" && npm pack -q minimist@1.2.8 >/dev/null 2>&1)
mkdir -p "$repos/minimist"
tar xzf "$work/fetch/minimist-1.2.8.tgz" -C "$repos/minimist" --strip-components=1
break_line "$repos/minimist/index.js" 16 \
  'return (/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(e[-+]?\d+)?$/).test(x);' 'return (/^[-+]?\d+$/).test(x);'
commit "$repos/minimist"

# PyPI: the sdist, which ships test_six.py. dbm.ndbm is missing from some Pythons: deselected.
python3 -m pip download -q --no-binary :all: --no-deps six==1.16.0 -d "$work/fetch" >/dev/null
mkdir -p "$repos/six"
tar xzf "$work/fetch/six-1.16.0.tar.gz" -C "$repos/six" --strip-components=1
break_line "$repos/six/six.py" 644 'return s.encode("latin-1")' 'return s.encode("utf-8")'
cat >"$repos/six/kiln.yaml" <<'YAML'
gates:
  - name: unit
    run: python3 -m pytest -p no:cacheprovider -k "not dbm_ndbm" --junitxml=reports/pytest.xml test_six.py
    reports:
      junit: "reports/*.xml"
YAML
commit "$repos/six"

# name | the failing test, as the summary should name it | its assertion, with file and line
cases=(
  "go-assertion|TestAdd|calc_test.go:7: Add(2, 3) = -1, want 5"
  "go-panic|TestDereferences|calc_test.go:12: panic: runtime error: invalid memory address or nil pointer dereference"
  "cargo|tests::adds|src/lib.rs:11: assertion \`left == right\` failed (left: -1, right: 5)"
  "node-test|adds|calc.test.js:5: Expected values to be strictly equal: -1 !== 5"
  "jest|calc > adds|calc.test.js:5: expect(received).toBe(expected) // Object.is equality (Expected: 5, Received: -1)"
  "ctest|adds|test_calc.c:8: add(2, 3) = -1, want 5"
  "automake|test_add|test_add.c:7: add(2, 3) = -1, want 5"
  "just|tests::adds|calc.rs:11: assertion \`left == right\` failed (left: -1, right: 5)"
  "just-pytest|test_adds|test_calc.py:5: assert -1 == 5"
  "task|adds|calc.test.js:5: Expected values to be strictly equal: -1 !== 5"
  "pytest|test_adds|test_calc.py:5: assert -1 == 5"
  "maven|CalcTest.adds|CalcTest.java:10: expected: <5> but was: <-1>"
  "gradle|CalcTest.adds|CalcTest.java:10: expected:<5> but was:<-1>"
  "go-version|TestGreaterThan|version_test.go:580: 1.2-beta > 1.2-beta"
  "semver|test_exact|tests/test_version_req.rs:56: matched 1.0.1"
  "minimist|should be deeply equivalent|test/num.js:15"
  "six|test_b|test_six.py:479: AssertionError: assert 2 == 1"
)

declare -A run_of
for case in "${cases[@]}"; do
  name=${case%%|*}
  answer=$(curl -s -X POST "$api/rebuild" -H 'Content-Type: application/json' \
    -d "{\"repo\": \"file://$repos/$name\", \"supersede\": false}")
  run_of[$name]=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["run_id"])' "$answer")
done

echo "jar: $jar"
echo "| project | names the test | quotes the assertion | failure_summary |"
echo "|---|---|---|---|"
for case in "${cases[@]}"; do
  IFS='|' read -r name test assertion <<<"$case"
  view=$(wait_run "${run_of[$name]}")
  python3 - "$name" "$test" "$assertion" "$view" <<'PY'
import json, sys
name, test, assertion, view = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
summary = view.get("failure_summary") or ""
names = test in summary
quotes = assertion in summary
cell = summary.replace("|", "\\|")
print(f"| {name} | {'yes' if names else 'no'} | {'yes' if quotes else 'no'} | `` {cell} `` |")
PY
done
