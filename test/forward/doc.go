// Package forward holds the end-to-end tests of forward mode: the real
// crio-trace daemon binary, started with --runtime-endpoint, in front of a
// real containerd (package test/harness), driven by kubelet's own CRI client
// (k8s.io/cri-client) with an OpenTelemetry SDK, every span received over
// OTLP by an in-process receiver (internal/otlpreceiver).
//
// What the tests prove:
//
//   - TestPodLifecycle: a whole pod lifecycle under a kubelet syncPod span
//     gives, for every RPC, kubelet CLIENT → crio-trace SERVER → crio-trace
//     CLIENT (to containerd) in one trace, with the pod and container
//     attributes on the server spans and the planted secrets nowhere.
//   - TestTracingOffPassThrough: with tracing off the daemon exports nothing
//     and hands the caller's traceparent, tracestate and baggage (and no
//     other metadata) to the runtime unchanged.
//   - TestRuntimeRestart: containerd stopped under a running daemon gives
//     fast Unavailable answers naming the endpoint and one "lost" log line;
//     started again, RPCs succeed and one "reconnected" line follows.
//   - TestContainerdSpans: with upstream containerd built with its tracing
//     plugins, containerd's SERVER spans join the same trace below
//     crio-trace's CLIENT spans.
//   - TestCritestParity: critest v1.30.0 passes the same specs directly
//     against containerd and through crio-trace.
//
// They need root and the tools of hack/install-e2e-deps.sh; run them with
// `sudo make e2e`. CRIO_TRACE_E2E=skip skips them loudly; anything missing
// otherwise fails the test naming the command that installs it.
package forward
