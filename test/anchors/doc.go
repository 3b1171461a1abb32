// Package anchors measures crio-trace against the anchors it is judged by —
// stock CRI-O v1.34.0 with its own tracing, and upstream containerd v1.6.20
// with its tracing plugin — on the same black-box checks, and crio-trace's
// work beside them: crio-trace in front of each runtime, and crio-kit (CRI-O
// with crio-trace's kit ported in by hack/crio-port). Every system is fed by kubelet's own CRI client
// (k8s.io/cri-client) under a sampled parent span, and every span is
// received over OTLP by an in-process receiver (internal/otlpreceiver).
//
// TestAnchors runs every check against every system and fails when
// crio-trace in front of either runtime, or crio-kit, does worse than an
// anchor on any row. With ANCHORS_OUT set (`make anchors` sets it to docs/anchors.md) it
// also writes the table: one row per check, one column per system, the
// measured figure in each cell, with the versions and the date.
//
// It needs root, the tools of hack/install-e2e-deps.sh, CRI-O from
// hack/install-crio.sh, crio-kit from hack/crio-port.sh and upstream
// containerd from hack/systems/build-tools.sh containerd. CRIO_TRACE_E2E=skip skips it
// loudly.
package anchors
