#!/usr/bin/env bash
# up.sh brings up the kind recipe: builds bin/crio-trace for the nodes,
# creates the cluster from deploy/kind/cluster.yaml (crio-trace in front of
# containerd on every node, tracing on in kubelet, the API server, etcd and
# containerd), deploys Jaeger and the collector, and prints how to look at
# the traces. Needs Docker (or Podman) and kind v0.30.0 on PATH.
#
# Usage: deploy/kind/up.sh [--operator] [--down]
#   --operator  deploy the collector as an OpenTelemetryCollector resource
#               (deploy/operator/collector.yaml); the OpenTelemetry Operator
#               must already run in the cluster.
#   --down      delete the cluster and exit.
# Environment: KIND (default kind), KUBECTL (default kubectl),
#   CLUSTER_NAME (default crio-trace), GOARCH (default: the host's).
set -euo pipefail

KIND_VERSION=v0.30.0 # the kind release cluster.yaml's node image belongs to
KIND=${KIND:-kind}
KUBECTL=${KUBECTL:-kubectl}
CLUSTER_NAME=${CLUSTER_NAME:-crio-trace}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

log() { printf 'kind-up: %s\n' "$*" >&2; }
die() { printf 'kind-up: ERROR: %s\n' "$*" >&2; exit 1; }

operator=false
for arg in "$@"; do
	case $arg in
	--operator) operator=true ;;
	--down)
		"$KIND" delete cluster --name "$CLUSTER_NAME"
		exit 0
		;;
	*) die "unknown argument ${arg@Q}; usage: $0 [--operator] [--down]" ;;
	esac
done

command -v "$KIND" >/dev/null || die "kind is not on PATH; install kind $KIND_VERSION (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"
command -v "$KUBECTL" >/dev/null || die "kubectl is not on PATH"
if ! { command -v docker >/dev/null && docker info >/dev/null 2>&1; } &&
	! { command -v podman >/dev/null && podman info >/dev/null 2>&1; }; then
	die "no working container engine: kind needs Docker or Podman (docker info failed)"
fi
if ! "$KIND" version | grep -q "$KIND_VERSION"; then
	log "warning: $("$KIND" version) is not $KIND_VERSION; the pinned node image may not match"
fi

cd "$ROOT" # cluster.yaml's hostPath entries are relative to the repository root
log "building bin/crio-trace (static, linux/${GOARCH:-$(go env GOARCH)})"
CGO_ENABLED=0 GOOS=linux go build -trimpath -o bin/crio-trace ./cmd/crio-trace

if "$KIND" get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
	log "cluster $CLUSTER_NAME already exists; delete it with: $0 --down"
else
	log "creating cluster $CLUSTER_NAME"
	"$KIND" create cluster --name "$CLUSTER_NAME" --config deploy/kind/cluster.yaml --wait 5m
fi
ctx=kind-$CLUSTER_NAME

log "deploying Jaeger"
"$KUBECTL" --context "$ctx" apply -f deploy/manifests/jaeger.yaml
if $operator; then
	log "deploying the collector as an OpenTelemetryCollector (operator)"
	"$KUBECTL" --context "$ctx" apply -f deploy/operator/collector.yaml
else
	log "deploying the collector DaemonSet"
	"$KUBECTL" --context "$ctx" apply -f deploy/manifests/collector.yaml
	"$KUBECTL" --context "$ctx" -n crio-trace-observability rollout status daemonset/otel-collector --timeout 5m
fi
"$KUBECTL" --context "$ctx" -n crio-trace-observability rollout status deployment/jaeger --timeout 5m

cat >&2 <<MSG
kind-up: ready. Start a pod and look at its trace:
  $KUBECTL --context $ctx run traced --image=busybox --restart=Never -- sleep 3600
  $KUBECTL --context $ctx -n crio-trace-observability port-forward svc/jaeger 16686
  open http://127.0.0.1:16686 and search service "kubelet", operation "syncPod"
crio-trace's log on a node:  docker exec $CLUSTER_NAME-worker journalctl -u crio-trace
MSG
