// Package daemon holds the integration tests of the crio-trace daemon. The
// package itself is empty: the tests, in package daemon_test, build the real
// cmd/crio-trace binary once (with -race when CRIO_TRACE_RACE=1), start it on
// unix sockets in temporary directories and drive it the way its users do —
// kubelet's own CRI client (k8s.io/cri-client) with a tracer provider of its
// own, signals, config files, and the real crictl from cri-tools — while an
// in-process OTLP receiver (internal/otlpreceiver) collects the spans.
//
// They prove the project's design contracts ("Daemon crio-trace", "Spans")
// from the outside: one SERVER span per RPC as the child of
// kubelet's CLIENT span, allow-listed attributes only, parent-based
// sampling, SIGTERM draining before flushing, SIGHUP switching tracing on
// and off, instrumentation removed while no collector answers, and no
// planted secret in any span or log line.
//
// Run them with:
//
//	go test -race ./test/daemon/
//
// Environment: CRIO_TRACE_RACE=1 builds the daemon with -race;
// CRIO_TRACE_DAEMON=/path/to/crio-trace tests that binary instead of building
// one (a release build, or one built with -overlay to try a fix). The crictl
// test needs the tools of hack/install-e2e-deps.sh; CRIO_TRACE_E2E=skip skips
// it where they cannot be installed.
package daemon
