package daemon_test

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// Log lines of the provider's state changes.
const (
	logRemoved  = "instrumentation removed"
	logRestored = "instrumentation restored"
)

// manyCalls is how many RPCs the tests make while no collector answers.
const manyCalls = 50

// tracedCall makes one ListContainers call under a fresh sampled kubelet
// span and returns its trace id.
func tracedCall(ctx context.Context, t *testing.T, k *kubelet, tp trace.TracerProvider) string {
	t.Helper()
	ctx, span := tp.Tracer("kubelet").Start(ctx, "syncPod")
	defer span.End()
	if _, err := k.rt.ListContainers(ctx, nil); err != nil {
		t.Fatalf("ListContainers: %v", err)
	}
	return span.SpanContext().TraceID().String()
}

// callUntilSpan makes traced calls until the daemon's server span of one of
// them reaches recv, failing t after startTimeout.
func callUntilSpan(ctx context.Context, t *testing.T, k *kubelet, tp trace.TracerProvider, recv *otlpreceiver.Receiver) {
	t.Helper()
	var sent []string
	if !testutil.Eventually(startTimeout, func() bool {
		sent = append(sent, tracedCall(ctx, t, k, tp))
		spans := serverSpans(recv.Spans())
		for _, tr := range sent {
			if len(otlpreceiver.Trace(spans, tr)) > 0 {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no server span reached the collector after %d calls", len(sent))
	}
}

// TestCollectorAbsent runs the daemon with tracing on and no collector
// answering — from the start, or gone while running: the instrumentation is
// removed with one log line however many RPCs follow, and comes back by
// itself, with one line, when a collector listens again.
func TestCollectorAbsent(t *testing.T) {
	tests := []struct {
		name string
		// presentAtStart: a receiver listens when the daemon starts and
		// stops once spans flow.
		presentAtStart bool
	}{
		{name: "absent from the start"},
		{name: "gone while running", presentAtStart: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := freeAddr(t)
			var first *otlpreceiver.Receiver
			if tt.presentAtStart {
				first = startReceiverAt(t, addr)
			}
			sock := socketPath(t)
			d := startDaemon(t, sock, "--config", writeConfig(t, tracingConfig(true, addr)))
			tp, _ := newKubeletProvider(t, sdktrace.AlwaysSample(), "")
			ctx := klogContext(t)
			k := newKubelet(ctx, t, sock, tp)

			if first != nil {
				callUntilSpan(ctx, t, k, tp, first)
				first.Stop()
				// The next export fails; the daemon notices then.
				if !testutil.Eventually(startTimeout, func() bool {
					tracedCall(ctx, t, k, tp)
					return testutil.CountLines(d.Stderr.String(), logRemoved) > 0
				}) {
					t.Fatalf("no %q line after the collector went away:\n%s", logRemoved, d.Stderr.String())
				}
			}
			d.WaitLog(t, logRemoved, 1)
			for range manyCalls {
				tracedCall(ctx, t, k, tp)
			}
			if n := testutil.CountLines(d.Stderr.String(), logRemoved); n != 1 {
				t.Errorf("%q lines after %d calls = %d, want 1:\n%s", logRemoved, manyCalls, n, d.Stderr.String())
			}

			recv := startReceiverAt(t, addr)
			d.WaitLog(t, logRestored, 1)
			callUntilSpan(ctx, t, k, tp, recv)

			if code := d.Stop(t); code != 0 {
				t.Fatalf("exit code = %d, want 0", code)
			}
			stderr := d.Stderr.String()
			for _, c := range []struct {
				substr string
				want   int
			}{
				{logRemoved, 1},
				{logRestored, 1},
				{"level=WARN", 1}, // the removal line itself
				{"level=ERROR", 0},
				{"opentelemetry error", 0},
			} {
				if n := testutil.CountLines(stderr, c.substr); n != c.want {
					t.Errorf("stderr lines with %q = %d, want %d", c.substr, n, c.want)
				}
			}
			// The removal line may say why; no other line may.
			for _, l := range strings.Split(stderr, "\n") {
				if strings.Contains(l, "connection refused") && !strings.Contains(l, logRemoved) {
					t.Errorf("exporter error outside the removal line: %s", l)
				}
			}
			if t.Failed() {
				t.Logf("stderr:\n%s", stderr)
			}
			if strings.Count(stderr, "\n") > 20 {
				t.Errorf("stderr has %d lines for a daemon at info level; want a handful", strings.Count(stderr, "\n"))
			}
		})
	}
}
