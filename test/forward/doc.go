// Package forward holds the end-to-end tests of forward mode: the real
// crio-trace daemon binary, started with --runtime-endpoint, in front of
// each real runtime the harness runs (package test/harness) — containerd
// and CRI-O v1.34.0 — driven by kubelet's own CRI client
// (k8s.io/cri-client) with an OpenTelemetry SDK, and by crictl and
// critest, every span received over OTLP by an in-process receiver
// (internal/otlpreceiver). Each test runs once per runtime, as subtests
// named containerd and crio (see runtimes_test.go).
//
// What the tests prove:
//
//   - TestPodLifecycle: a whole pod lifecycle under a kubelet syncPod span
//     (pull with credentials, sandbox, container with a secret in its env,
//     its log file, exec, teardown) gives, for every RPC, kubelet CLIENT →
//     crio-trace SERVER → crio-trace CLIENT (to the runtime) in one trace,
//     with the pod and container attributes on the server spans and the
//     planted secrets nowhere.
//   - TestRuntimeSpans: with the runtime's own tracing on (upstream
//     containerd built with its tracing plugins; CRI-O's [crio.tracing]),
//     the runtime's SERVER spans join the same trace below crio-trace's
//     CLIENT spans; the log lists what the runtime adds below them.
//   - TestTracingOffPassThrough: with tracing off the daemon exports
//     nothing and hands the caller's traceparent, tracestate and baggage
//     (and no other metadata) to the runtime unchanged: the runtimes' own
//     SERVER spans are children of kubelet's CLIENT spans.
//   - TestRuntimeRestart: the runtime stopped under a running daemon and a
//     load of calls gives fast Unavailable answers naming the endpoint and
//     one "lost" log line; started again, RPCs succeed and one
//     "reconnected" line follows; so for a runtime down at start.
//   - TestCrictl: crictl v1.30 through crio-trace, tracing on everywhere:
//     every command works and crictl CLIENT → crio-trace SERVER →
//     crio-trace CLIENT → runtime SERVER chain for each method.
//   - TestCritestParity: critest v1.30.0 passes the same specs directly
//     against the runtime and through crio-trace.
//
// They need root, the tools of hack/install-e2e-deps.sh, CRI-O from
// hack/install-crio.sh and upstream containerd from
// hack/systems/build-tools.sh containerd; run them with `sudo make e2e`.
// CRIO_TRACE_E2E=skip skips them loudly; anything missing otherwise fails
// the test naming the command that installs it.
package forward
