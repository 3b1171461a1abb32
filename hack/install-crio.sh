#!/usr/bin/env bash
# install-crio.sh builds CRI-O for the tests that run crio-trace in front of
# a real CRI-O: crio and pinns from CRI-O's module source, the project's runc
# wrapper (hack/runc-oom), and installs the Debian packages CRI-O needs at
# run time (conmon, runc) and at build time (libseccomp-dev).
#
# Like install-e2e-deps.sh it is idempotent and pinned: a binary is rebuilt
# only when its pin or its source changed, so a warm run takes a second. Only
# the Go module proxy and Debian's apt are contacted. Each step prints how
# long it took; a missing piece stops it with an error naming it.
#
# Usage: hack/install-crio.sh [--print-bin-dir]
#   --print-bin-dir  print the directory the binaries are built into and exit.
# Environment:
#   CRIO_TRACE_CACHE  cache root (default $HOME/.cache/crio-trace).
set -euo pipefail

# Pins (CRIO_MODULE, CRIO_VERSION, CRIO_TAGS) are in hack/crio-pins.sh,
# shared with hack/crio-port.sh. Changing one rebuilds CRI-O on the next run.
# shellcheck source=hack/crio-pins.sh
source "$(dirname "${BASH_SOURCE[0]}")/crio-pins.sh"
APT_PACKAGES=(libseccomp-dev conmon runc busybox-static jq gcc make pkg-config)

CACHE_DIR=${CRIO_TRACE_CACHE:-$HOME/.cache/crio-trace}
BIN_DIR=$CACHE_DIR/bin
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

PROG=install-crio
# shellcheck source=hack/lib.sh
source "$REPO_ROOT/hack/lib.sh"

installer_args "$@"
require_root_and_go CRI-O

make_workdir crio-trace-crio
STEP=setup
trap 'printf "install-crio: ERROR: step %s failed (line %s); see the output above\n" "$STEP" "$LINENO" >&2' ERR

build_crio() {
	local stamp="$CRIO_MODULE@$CRIO_VERSION tags=$CRIO_TAGS" src
	if up_to_date crio "$stamp" && up_to_date pinns "$stamp"; then
		log "crio and pinns $CRIO_VERSION already built"
		return
	fi
	log "building crio and pinns $CRIO_VERSION (cold: ~4.5 min of CPU)"
	src=$(module_source "$CRIO_MODULE" "$CRIO_VERSION")
	(
		cd "$src"
		go build -mod=mod -trimpath -tags "$CRIO_TAGS" -o "$BIN_DIR/crio.built" ./cmd/crio
		place_binary "$BIN_DIR/crio.built" "$BIN_DIR/crio" # as crio-kit: see hack/lib.sh
		make -s -C pinns
		install -m 0755 bin/pinns "$BIN_DIR/pinns"
	)
	"$BIN_DIR/crio" --version | sed -n 1p >&2 || die "the crio just built does not run"
	mark_built crio "$stamp"
	mark_built pinns "$stamp"
}

main() {
	local start=$SECONDS
	install_packages "${APT_PACKAGES[@]}"
	command -v conmon >/dev/null || die "conmon is installed but not on PATH"
	mkdir -p "$BIN_DIR"
	timed crio build_crio
	timed runc-oom build_local runc-oom
	log "done in $((SECONDS - start))s; binaries are in $BIN_DIR"
}

main
