#!/usr/bin/env bash
# build-tools.sh builds the real systems `make systems` and `make cluster` run
# against: kubelet and the control plane (kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl) from k8s.io/kubernetes,
# etcd, upstream containerd (with its tracing plugins), an OpenTelemetry
# Collector from this directory's builder manifest, Jaeger from this
# directory's tools module, and installs Debian's prometheus.
#
# Everything is pinned below and cached under $CRIO_TRACE_CACHE/systems
# (default $HOME/.cache/crio-trace/systems): a tool is rebuilt only when its
# pin or its recipe changed, so a warm run takes seconds. Only the Go module
# proxy and Debian's apt are contacted. Each step prints how long it took.
#
# Usage: hack/systems/build-tools.sh [--print-bin-dir] [TOOL...]
#   TOOL is one of: kubernetes (alias kubelet) etcd containerd otelcol jaeger
#   prometheus (default: all).
# Environment:
#   CRIO_TRACE_CACHE  cache root (default $HOME/.cache/crio-trace).
set -euo pipefail

# Pins. Changing one rebuilds that tool on the next run.
KUBERNETES_VERSION=v1.34.4       # kubelet and the control plane, from k8s.io/kubernetes module source
KUBERNETES_STAGING_VERSION=v0.34.4 # the published k8s.io/* modules replacing ./staging
# The commands built from k8s.io/kubernetes, in one `go build` so the packages
# they share compile once.
KUBERNETES_COMMANDS=(kubelet kube-apiserver kube-controller-manager kube-scheduler kubectl)
ETCD_VERSION=v3.6.16             # go.etcd.io/etcd/server/v3; its own main package is etcd
CONTAINERD_VERSION=v1.6.20       # same release as Debian 12's containerd, built with tracing
BUILDER_VERSION=v0.161.0         # go.opentelemetry.io/collector/cmd/builder; fixes the core version
# Collector components are pinned in collector/builder.yaml at the same
# release (the module proxy refuses the contrib exporters at v0.162..v0.166).
JAEGER_VERSION=v1.76.0           # = Jaeger v2.13.0; pinned in jaeger/go.mod
PROMETHEUS_PACKAGE=prometheus    # Debian 12's package (2.42)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_DIR=${CRIO_TRACE_CACHE:-$HOME/.cache/crio-trace}/systems
BIN_DIR=$CACHE_DIR/bin

PROG=build-tools
# shellcheck source=hack/lib.sh
source "$HERE/../lib.sh"

if [[ ${1:-} == --print-bin-dir ]]; then
	printf '%s\n' "$BIN_DIR"
	exit 0
fi

command -v go >/dev/null || die "go is not on PATH; install Go 1.26 or newer first"
# k8s.io/kubernetes ships a go.work; every build here is a plain module build.
export GOWORK=off

make_workdir crio-trace-systems


# recipe_hash FILE...: a stamp component that changes when a recipe file does.
recipe_hash() { cat "$@" | sha256sum | cut -c1-16; }


STEP=setup
trap 'printf "build-tools: ERROR: step %s failed (line %s); see the output above\n" "$STEP" "$LINENO" >&2' ERR

build_kubernetes() {
	local stamp="kubernetes@$KUBERNETES_VERSION staging@$KUBERNETES_STAGING_VERSION static cmds=${KUBERNETES_COMMANDS[*]}" src m c args=() pkgs=() ok=true
	for c in "${KUBERNETES_COMMANDS[@]}"; do
		[[ -x $BIN_DIR/$c ]] || ok=false
	done
	if $ok && [[ -f $BIN_DIR/.kubernetes.stamp && $(<"$BIN_DIR/.kubernetes.stamp") == "$stamp" ]]; then
		log "kubernetes $KUBERNETES_VERSION (${KUBERNETES_COMMANDS[*]}) already built"
		return
	fi
	log "building ${KUBERNETES_COMMANDS[*]} $KUBERNETES_VERSION in one go build (cold: ~15-25 min on 2 idle cores)"
	src=$(module_source k8s.io/kubernetes "$KUBERNETES_VERSION")
	# The module's go.mod points 31 k8s.io/* modules at ./staging, which the
	# module zip does not ship; require the published releases instead.
	for m in $(sed -n 's|^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*|\1|p' "$src/go.mod"); do
		args+=("-dropreplace=$m" "-require=$m@$KUBERNETES_STAGING_VERSION")
	done
	[[ ${#args[@]} -gt 0 ]] || die "kubernetes: no ./staging replace directives found in k8s.io/kubernetes@$KUBERNETES_VERSION go.mod; the recipe needs updating"
	for c in "${KUBERNETES_COMMANDS[@]}"; do
		pkgs+=("./cmd/$c")
	done
	(
		cd "$src"
		go mod edit "${args[@]}"
		ldflags="-X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34"
		ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=34"
		# With several main packages, -o names a directory: one binary each.
		CGO_ENABLED=0 go build -mod=mod -trimpath -ldflags "$ldflags" -o "$BIN_DIR/" "${pkgs[@]}"
	)
	for c in "${KUBERNETES_COMMANDS[@]}"; do
		[[ -x $BIN_DIR/$c ]] || die "kubernetes: go build wrote no $BIN_DIR/$c"
	done
	mark_built kubernetes "$stamp"
	rm -f "$BIN_DIR/.kubelet.stamp" # the stamp of the kubelet-only recipe this one replaced
}

build_etcd() {
	local stamp="etcd-server@$ETCD_VERSION static" dir msrc
	if up_to_date etcd "$stamp"; then log "etcd $ETCD_VERSION already built"; return; fi
	log "building etcd $ETCD_VERSION (go.etcd.io/etcd/server/v3's main package; cold: ~3-6 min)"
	# A throw-away module requiring the server module, with the server's own
	# go.sum: MVS over immutable go.mod files makes the build graph a function
	# of the pin alone. (Building inside the server module would honour its
	# toolchain line and fetch another Go.)
	dir=$WORK/etcd
	mkdir -p "$dir"
	msrc=$(cd "$WORK" && go mod download -json "go.etcd.io/etcd/server/v3@$ETCD_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[[ -f $msrc/go.sum ]] || die "etcd: no go.sum in the module cache copy of go.etcd.io/etcd/server/v3@$ETCD_VERSION"
	(
		cd "$dir"
		printf 'module crio-trace.local/etcd\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >go.mod
		cat "$msrc/go.sum" >go.sum
		CGO_ENABLED=0 go build -mod=mod -trimpath \
			-ldflags "-X go.etcd.io/etcd/api/v3/version.GitSHA=module-$ETCD_VERSION" \
			-o "$BIN_DIR/etcd" go.etcd.io/etcd/server/v3
	)
	mark_built etcd "$stamp"
}

build_containerd() {
	local stamp="containerd@$CONTAINERD_VERSION tags=no_btrfs,no_devmapper,no_zfs,no_aufs" src
	if up_to_date containerd "$stamp"; then log "containerd $CONTAINERD_VERSION already built"; return; fi
	log "building upstream containerd $CONTAINERD_VERSION with its tracing plugins (cold: ~1.5 min)"
	src=$(module_source github.com/containerd/containerd "$CONTAINERD_VERSION")
	(
		cd "$src"
		CGO_ENABLED=0 go build -mod=mod -trimpath \
			-tags 'no_btrfs no_devmapper no_zfs no_aufs' \
			-ldflags "-X github.com/containerd/containerd/version.Version=$CONTAINERD_VERSION" \
			-o "$BIN_DIR/containerd" ./cmd/containerd
	)
	mark_built containerd "$stamp"
}

build_otelcol() {
	local stamp="builder@$BUILDER_VERSION $(recipe_hash "$HERE/collector/builder.yaml")" dist
	if up_to_date otelcol "$stamp"; then log "otelcol already built"; return; fi
	log "building the OpenTelemetry Collector from collector/builder.yaml (cold: ~5-10 min)"
	if ! up_to_date ocb "builder@$BUILDER_VERSION"; then
		GOBIN=$BIN_DIR go install "go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION"
		mv "$BIN_DIR/builder" "$BIN_DIR/ocb"
		mark_built ocb "builder@$BUILDER_VERSION"
	fi
	dist=$WORK/otelcol
	sed "s|@OUTPUT_PATH@|$dist|" "$HERE/collector/builder.yaml" >"$WORK/builder.yaml"
	# The builder writes the sources and resolves go.mod; we compile, so the
	# flags (static, trimmed) are ours.
	"$BIN_DIR/ocb" --config "$WORK/builder.yaml" --skip-compilation
	(
		cd "$dist"
		CGO_ENABLED=0 go build -trimpath -o "$BIN_DIR/otelcol" .
	)
	mark_built otelcol "$stamp"
}

build_jaeger() {
	local stamp="jaeger@$JAEGER_VERSION $(recipe_hash "$HERE/jaeger/go.mod" "$HERE/jaeger/tools.go")" dir jsrc
	if up_to_date jaeger "$stamp"; then log "jaeger $JAEGER_VERSION already built"; return; fi
	log "building Jaeger $JAEGER_VERSION from the tools module jaeger/ (cold: ~4-10 min)"
	dir=$WORK/jaeger
	mkdir -p "$dir"
	cp "$HERE/jaeger/go.mod" "$HERE/jaeger/tools.go" "$dir/"
	# Jaeger's own go.sum holds every checksum its build graph needs.
	jsrc=$(cd "$WORK" && go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[[ -f $jsrc/go.sum ]] || die "jaeger: no go.sum in the module cache copy of github.com/jaegertracing/jaeger@$JAEGER_VERSION"
	cat "$jsrc/go.sum" >"$dir/go.sum"
	[[ -f $HERE/jaeger/go.sum ]] && cat "$HERE/jaeger/go.sum" >>"$dir/go.sum"
	(
		cd "$dir"
		CGO_ENABLED=0 go build -mod=mod -trimpath -o "$BIN_DIR/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger
	)
	mark_built jaeger "$stamp"
}

install_prometheus() {
	if dpkg-query -W -f='${Status}' "$PROMETHEUS_PACKAGE" 2>/dev/null | grep -q 'install ok installed'; then
		log "apt: $PROMETHEUS_PACKAGE already installed"
	else
		[[ $(id -u) -eq 0 ]] || die "prometheus is not installed and installing it needs root; run: sudo $0 prometheus (or apt-get install $PROMETHEUS_PACKAGE)"
		log "apt: installing $PROMETHEUS_PACKAGE"
		apt-get update
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$PROMETHEUS_PACKAGE"
	fi
	command -v prometheus >/dev/null || die "prometheus is installed but not on PATH"
	ln -sf "$(command -v prometheus)" "$BIN_DIR/prometheus"
}

main() {
	local tools=("$@") t start=$SECONDS
	[[ ${#tools[@]} -gt 0 ]] || tools=(containerd kubernetes etcd otelcol jaeger prometheus)
	mkdir -p "$BIN_DIR"
	for t in "${tools[@]}"; do
		case $t in
		kubernetes | kubelet) timed kubernetes build_kubernetes ;;
		etcd) timed etcd build_etcd ;;
		containerd) timed containerd build_containerd ;;
		otelcol) timed otelcol build_otelcol ;;
		jaeger) timed jaeger build_jaeger ;;
		prometheus) timed prometheus install_prometheus ;;
		*) die "unknown tool ${t@Q}; expected kubernetes (or kubelet), etcd, containerd, otelcol, jaeger or prometheus" ;;
		esac
	done
	log "all done in $((SECONDS - start))s; tools are in $BIN_DIR"
}

main "$@"
