#!/usr/bin/env bash
# up.sh (make cluster) brings up a one-node Kubernetes cluster on 127.0.0.1:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and a
# registered kubelet (k8s.io/kubernetes v1.34.4), crio-trace in front of
# upstream containerd, an OpenTelemetry Collector, Jaeger and Prometheus —
# all tracing. Node-side files come from the kind recipe in deploy/kind.
#
# The cluster is the one the systems test TestCluster checks: this script
# compiles test/systems and runs TestCluster in hold mode in the background
# (CRIO_TRACE_CLUSTER_HOLD), which brings the cluster up, writes usage.txt
# and holds it until down.sh sends SIGTERM; the test's cleanups then stop
# every process by its pid and check that the host is as it was.
#
# Usage: hack/cluster/up.sh   (as root; make cluster)
# Environment: CLUSTER_STATE (default bin/cluster): pid, log, kubeconfig,
#   usage.txt; CLUSTER_UP_TIMEOUT seconds to wait for the cluster (600).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${CLUSTER_STATE:-$ROOT/bin/cluster}
TIMEOUT=${CLUSTER_UP_TIMEOUT:-600}
PROG=cluster-up
# shellcheck source=hack/lib.sh
source "$ROOT/hack/lib.sh"

[[ $(id -u) -eq 0 ]] || die "must run as root (kubelet, containerd and their mounts); run: sudo make cluster"
if [[ -f $STATE/pid ]]; then
	pid=$(<"$STATE/pid")
	if [[ -d /proc/$pid ]] && grep -qa "$STATE/systems.test" "/proc/$pid/cmdline" 2>/dev/null; then
		die "a cluster is already up (pid $pid; $STATE/usage.txt); stop it with: make cluster-down"
	fi
	rm -f "$STATE/pid"
fi

cd "$ROOT"
"$ROOT/hack/install-e2e-deps.sh"
"$ROOT/hack/systems/build-tools.sh"
mkdir -p "$STATE"
rm -f "$STATE/ready" "$STATE/usage.txt"
log "compiling test/systems"
go test -c -o "$STATE/systems.test" ./test/systems

# The test finds the repository from its package directory, as under go
# test. setsid: the cluster outlives this shell and its terminal.
cd "$ROOT/test/systems"
CRIO_TRACE_CLUSTER_HOLD=$STATE CRIO_TRACE_E2E=run setsid "$STATE/systems.test" \
	-test.run '^TestCluster$' -test.v -test.timeout 0 >"$STATE/cluster.log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$STATE/pid"
log "cluster starting (pid $pid, log $STATE/cluster.log)"

start=$SECONDS
until [[ -f $STATE/ready ]]; do
	if ! kill -0 "$pid" 2>/dev/null; then
		tail -n 60 "$STATE/cluster.log" >&2
		rm -f "$STATE/pid"
		die "the cluster did not come up; the end of $STATE/cluster.log is above"
	fi
	if ((SECONDS - start > TIMEOUT)); then
		tail -n 30 "$STATE/cluster.log" >&2
		die "the cluster is not up after ${TIMEOUT}s; stop what started with: make cluster-down"
	fi
	sleep 1
done
log "up in $((SECONDS - start))s"
cat "$STATE/usage.txt"
