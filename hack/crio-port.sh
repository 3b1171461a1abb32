#!/usr/bin/env bash
# crio-port.sh ports crio-trace's tracing kit into CRI-O with hack/crio-port
# and builds the result, "CRI-O + kit", as $CACHE/bin/crio-kit. The port's
# diff goes to bin/crio-port.diff and its stat to the terminal.
#
# It is stamped like the other tools: the port and the build rerun only when
# the port program, the kit, the CRI attribute package, crio-trace's sampling
# rules or the CRI-O pin changed. Only the Go module proxy is contacted.
#
# Usage: hack/crio-port.sh [--test] [--print-bin-dir]
#   --test           also run CRI-O's own unit tests of the packages the port
#                    touches (a few minutes) and print their summary.
#   --print-bin-dir  print where crio-kit is built and exit.
# Environment:
#   CRIO_TRACE_CACHE  cache root (default $HOME/.cache/crio-trace).
set -euo pipefail

CACHE_DIR=${CRIO_TRACE_CACHE:-$HOME/.cache/crio-trace}
BIN_DIR=$CACHE_DIR/bin
SRC=$CACHE_DIR/crio-port/src
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

PROG=crio-port
# shellcheck source=hack/lib.sh
source "$REPO_ROOT/hack/lib.sh"
# shellcheck source=hack/crio-pins.sh
source "$REPO_ROOT/hack/crio-pins.sh"

run_tests=no
for arg in "$@"; do
	case $arg in
	--test) run_tests=yes ;;
	--print-bin-dir) printf '%s\n' "$BIN_DIR"; exit 0 ;;
	*) die "unknown argument ${arg@Q}; usage: $0 [--test] [--print-bin-dir]" ;;
	esac
done
command -v go >/dev/null || die "go is not on PATH"
command -v git >/dev/null || die "git is not on PATH (the port records CRI-O's release in a scratch repository to diff against)"

# port_inputs hashes everything the ported tree is made from.
port_inputs() {
	(cd "$REPO_ROOT" && sha256sum hack/crio-port/*.go $(find hack/crio-port/overlay -type f | sort) \
		$(ls internal/tracing/*.go internal/criattrs/*.go | grep -v _test.go) server/samplingrules/rules.go go.mod) |
		sha256sum | cut -c1-16
}

port_and_build() {
	local stamp
	stamp="$CRIO_MODULE@$CRIO_VERSION tags=$CRIO_TAGS inputs=$(port_inputs)"
	if up_to_date crio-kit "$stamp" && [[ -d $SRC && -f $REPO_ROOT/bin/crio-port.diff ]]; then
		log "crio-kit (CRI-O $CRIO_VERSION + kit) already built from these sources"
		(cd "$SRC" && git diff --cached --stat=120 | tail -1)
		return
	fi
	mkdir -p "$BIN_DIR" "$REPO_ROOT/bin"
	(cd "$REPO_ROOT" && go run ./hack/crio-port -version "$CRIO_VERSION" -out "$SRC" -diff bin/crio-port.diff)
	log "building crio-kit (warm CRI-O build cache: ~30 s; cold: ~4.5 min of CPU)"
	(cd "$SRC" && GOWORK=off go build -mod=mod -trimpath -tags "$CRIO_TAGS" -o "$BIN_DIR/crio-kit.built" ./cmd/crio)
	place_binary "$BIN_DIR/crio-kit.built" "$BIN_DIR/crio-kit" # as stock crio: see hack/lib.sh
	"$BIN_DIR/crio-kit" --version | sed -n 1p >&2 || die "the crio-kit just built does not run"
	mark_built crio-kit "$stamp"
}

# failures TREE OUT: run CRI-O's unit tests of the port's packages in TREE,
# keep the output in OUT, and print the failing tests' names, sorted.
failures() {
	(cd "$1" && GOWORK=off go test -mod=mod -count=1 -tags "test $CRIO_TAGS" "${CRIO_PORT_TEST_PACKAGES[@]}" >"$2" 2>&1) || true
	grep -E '^\s*--- FAIL: ' "$2" | sed -E 's/^\s*--- FAIL: ([^ ]+).*/\1/' | sort -u
	grep -E '^(ok|FAIL|\?)\s' "$2" | grep -c '^ok' >"$2.passed"
}

# crio_tests runs CRI-O's own unit tests of the packages the port touches on
# stock CRI-O and on the port, side by side: some fail on this machine
# whatever the port does (they want a shared mount propagation on /, which a
# container here does not have), so the port must fail exactly the tests
# stock CRI-O fails, no more.
crio_tests() {
	local stock out stock_fail port_fail extra
	make_workdir crio-trace-port-tests
	stock=$(module_source "$CRIO_MODULE" "$CRIO_VERSION")
	out=$CACHE_DIR/crio-port
	log "CRI-O's unit tests (${CRIO_PORT_TEST_PACKAGES[*]}), stock then ported"
	stock_fail=$(failures "$stock" "$out/tests-stock.log")
	port_fail=$(failures "$SRC" "$out/tests-port.log")
	log "packages passing: stock $(<"$out/tests-stock.log.passed"), ported $(<"$out/tests-port.log.passed")"
	log "failing on stock CRI-O here: ${stock_fail:-none}"
	log "failing on the port:         ${port_fail:-none}"
	extra=$(comm -13 <(printf '%s\n' "$stock_fail") <(printf '%s\n' "$port_fail") | sed '/^$/d')
	[[ -z $extra ]] || die "the port fails CRI-O tests that stock CRI-O passes: $extra (logs: $out/tests-*.log)"
	[[ $(<"$out/tests-port.log.passed") -ge $(<"$out/tests-stock.log.passed") ]] ||
		die "fewer CRI-O packages pass on the port than on stock CRI-O (logs: $out/tests-*.log)"
}

main() {
	local start=$SECONDS
	timed port-and-build port_and_build
	if [[ $run_tests == yes ]]; then
		timed crio-tests crio_tests
	fi
	log "done in $((SECONDS - start))s; crio-kit is $BIN_DIR/crio-kit, the diff bin/crio-port.diff"
}

main
