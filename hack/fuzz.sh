#!/usr/bin/env bash
# hack/fuzz.sh: run every Go fuzz target of the module for FUZZTIME each, one
# after the other, and print a summary of exec counts and crashers.
#
#   hack/fuzz.sh [FUZZTIME] [MINIMIZETIME] [TARGETS]  (defaults: 20s, 10s, all)
#
# TARGETS is an extended regular expression on the target names
# (e.g. 'FuzzParseReference|FuzzLoad').
#
# Targets are found by `func FuzzXxx(f *testing.F)` in the *_test.go files;
# a package may hold several. A failing input is written by `go test` to
# <package>/testdata/fuzz/<target>/ (commit it: it becomes a regression
# test) and fails the run.
#
# Go 1.26's fuzz coordinator can end a duration-bound run with a bare
# "context deadline exceeded" and no failing input when the machine is
# loaded (golang/go#75804, fixed in Go 1.27). That outcome is reported as
# such and does not fail the run; a run that fails in any other way does.
# MINIMIZETIME bounds how long a worker minimizes each new interesting
# input (go test's default is 60s, which on a busy machine starves the run).
set -uo pipefail

PROG=fuzz
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

fuzztime=${1:-20s}
minimize=${2:-10s}
only=${3:-.}
cd "$(dirname "$0")/.." || die "cannot cd to the module root"

mapfile -t files < <(git ls-files --cached --others --exclude-standard '*_test.go' | xargs grep -l '^func Fuzz[A-Za-z0-9_]*(f \*testing\.F)' | sort)
((${#files[@]})) || die "no fuzz targets found"

targets=()
for f in "${files[@]}"; do
	for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(f \*testing\.F).*/\1/p' "$f" | grep -E -- "$only"); do
		targets+=("./$(dirname "$f") $name")
	done
done
((${#targets[@]})) || die "no fuzz target matches $only"
log "${#targets[@]} targets, ${fuzztime} each: $(printf '%s; ' "${targets[@]}")"

logdir=$(mktemp -d "${TMPDIR:-/tmp}/crio-trace-fuzz.XXXXXX")
summary=()
failed=0
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	corpus=$pkg/testdata/fuzz/$name
	before=$(ls "$corpus" 2>/dev/null | sort)
	out=$logdir/${pkg//\//_}_$name.log
	log "== $pkg $name"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "$pkg" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	execs=$(grep -o 'execs: [0-9]*' "$out" | tail -1 | cut -d' ' -f2)
	added=$(comm -13 <(printf '%s\n' "$before") <(ls "$corpus" 2>/dev/null | sort) | grep -v '^$' | tr '\n' ' ')
	if ((rc == 0)); then
		result="ok, 0 crashers"
	elif [[ -n $added ]]; then
		result="FAILED: crasher $corpus/$added"
		failed=1
	elif grep -q '^    context deadline exceeded$' "$out"; then
		result="ok, 0 crashers (ended by golang/go#75804, not by an input)"
	else
		result="FAILED (exit $rc, see $out)"
		failed=1
	fi
	summary+=("$(printf '%-28s %-22s %12s execs  %s' "$pkg" "$name" "${execs:-0}" "$result")")
done

log "summary (fuzztime $fuzztime, logs in $logdir):"
printf '  %s\n' "${summary[@]}" >&2
exit "$failed"
