#!/usr/bin/env bash
# install-e2e-deps.sh installs what the real-runtime tests (test/harness and
# the tests built on it) need on a Debian 12 machine: containerd, runc and
# busybox from apt, and crane, crictl, critest, a static pause binary and a
# do-nothing CNI plugin built with Go into a cache directory.
#
# It is idempotent: packages already installed are not touched (apt-get update
# runs only when one is missing), and a tool is rebuilt only when its pin or
# its source changed. Only the Go module proxy and Debian's apt are contacted.
#
# Usage: hack/install-e2e-deps.sh [--print-bin-dir]
#   --print-bin-dir  print the directory the tools are built into and exit.
# Environment:
#   CRIO_TRACE_CACHE  cache root (default $HOME/.cache/crio-trace).
set -euo pipefail

# Pins. Changing one rebuilds that tool on the next run.
APT_PACKAGES=(containerd runc busybox-static iproute2 util-linux)
CRANE_MODULE=github.com/google/go-containerregistry
CRANE_VERSION=v0.22.1
CRI_TOOLS_MODULE=sigs.k8s.io/cri-tools
CRI_TOOLS_VERSION=v1.30.0

CACHE_DIR=${CRIO_TRACE_CACHE:-$HOME/.cache/crio-trace}
BIN_DIR=$CACHE_DIR/bin
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

PROG=install-e2e-deps
# shellcheck source=hack/lib.sh
source "$REPO_ROOT/hack/lib.sh"

installer_args "$@"
require_root_and_go containerd

make_workdir crio-trace-deps

build_crane() {
	local stamp="$CRANE_MODULE@$CRANE_VERSION" src
	if up_to_date crane "$stamp"; then
		log "crane $CRANE_VERSION already built"
		return
	fi
	log "building crane $CRANE_VERSION"
	if ! GOBIN=$BIN_DIR go install "$CRANE_MODULE/cmd/crane@$CRANE_VERSION"; then
		log "go install refused; building crane from the module source instead"
		src=$(module_source "$CRANE_MODULE" "$CRANE_VERSION")
		(cd "$src" && go build -mod=mod -o "$BIN_DIR/crane" ./cmd/crane)
	fi
	mark_built crane "$stamp"
}

build_cri_tools() {
	local stamp="$CRI_TOOLS_MODULE@$CRI_TOOLS_VERSION" src
	if up_to_date crictl "$stamp" && up_to_date critest "$stamp"; then
		log "crictl and critest $CRI_TOOLS_VERSION already built"
		return
	fi
	# go install is refused for cri-tools (its go.mod has replace
	# directives), so build from a writable copy of the module source.
	log "building crictl and critest $CRI_TOOLS_VERSION"
	src=$(module_source "$CRI_TOOLS_MODULE" "$CRI_TOOLS_VERSION")
	(
		cd "$src"
		# The module names itself github.com/kubernetes-sigs/cri-tools.
		ldflags="-X github.com/kubernetes-sigs/cri-tools/pkg/version.Version=$CRI_TOOLS_VERSION"
		go build -mod=mod -ldflags "$ldflags" -o "$BIN_DIR/crictl" ./cmd/crictl
		go test -c -mod=mod -ldflags "$ldflags" -o "$BIN_DIR/critest" ./cmd/critest
	)
	mark_built crictl "$stamp"
	mark_built critest "$stamp"
}

main() {
	local start=$SECONDS
	install_packages "${APT_PACKAGES[@]}"
	# Debian starts containerd as a service on install; the tests run their
	# own instances and do not need it, but leave the admin's choice alone.
	mkdir -p "$BIN_DIR"
	build_crane
	build_cri_tools
	build_local pause
	build_local cni-loopback
	log "done in $((SECONDS - start))s; tools are in $BIN_DIR"
}

main
