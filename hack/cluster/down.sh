#!/usr/bin/env bash
# down.sh (make cluster-down) stops the cluster up.sh started: SIGTERM to
# the test process holding it (by the pid up.sh recorded), which stops
# every program it started by pid, removes the mounts, cgroups and
# directories of the run, and checks the host is as it was. It prints that
# verdict and fails when the test reports a failure.
#
# Usage: hack/cluster/down.sh   (make cluster-down)
# Environment: CLUSTER_STATE (default bin/cluster).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${CLUSTER_STATE:-$ROOT/bin/cluster}
PROG=cluster-down
# shellcheck source=hack/lib.sh
source "$ROOT/hack/lib.sh"

if [[ ! -f $STATE/pid ]]; then
	log "no cluster is up ($STATE/pid does not exist)"
	exit 0
fi
pid=$(<"$STATE/pid")
if [[ ! -d /proc/$pid ]] || ! grep -qa "$STATE/systems.test" "/proc/$pid/cmdline" 2>/dev/null; then
	log "pid $pid is not the cluster's (it ended); nothing to stop"
	rm -f "$STATE/pid"
	exit 0
fi
log "stopping the cluster (pid $pid)"
kill -TERM "$pid"
start=$SECONDS
while [[ -d /proc/$pid ]]; do
	if ((SECONDS - start > 300)); then
		die "pid $pid still runs after 300s; see $STATE/cluster.log"
	fi
	sleep 1
done
rm -f "$STATE/pid"
log "stopped in $((SECONDS - start))s"
# The teardown's own lines, then the test's verdict.
sed -n '/stopping the cluster/,$p' "$STATE/cluster.log" | grep -v '^=== ' | tail -n 40 >&2
if grep -q -- '^--- FAIL\|^FAIL' "$STATE/cluster.log"; then
	die "the teardown reported failures (above; all of it in $STATE/cluster.log)"
fi
log "every process stopped, mounts and cgroups removed, host as found"
