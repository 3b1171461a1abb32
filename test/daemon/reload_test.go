package daemon_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// Log lines the daemon writes on SIGHUP.
const (
	logReloaded    = "SIGHUP: configuration reloaded"
	logNotReloaded = "SIGHUP: configuration not reloaded"
)

// probe makes traced calls with a unique container id each, so that both the
// call's span (by trace id) and its debug log line (by container id) can be
// found afterwards.
type probe struct {
	tp trace.TracerProvider
	n  atomic.Int64
}

// call makes one ContainerStatus call (NotFound: the id is unknown) under a
// fresh sampled kubelet span of k, and returns the trace id and the
// container id it used.
func (p *probe) call(ctx context.Context, t *testing.T, k *kubelet) (traceID, ctrID string) {
	t.Helper()
	ctrID = fmt.Sprintf("%064x", 0xc0ffee00+p.n.Add(1))
	ctx, span := p.tp.Tracer("kubelet").Start(ctx, "syncPod")
	defer span.End()
	// Only the span and the log line matter: the error is the expected
	// NotFound, or Unavailable when the call raced a generation switch.
	_, _ = k.rt.ContainerStatus(ctx, ctrID, false)
	return span.SpanContext().TraceID().String(), ctrID
}

// served reports, from the daemon's debug line for container id ctrID,
// whether the call was served at all and whether by an instrumented server
// (the line then carries the server span's trace_id).
func served(stderr, ctrID string) (logged, instrumented bool) {
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "msg=\"cri call\"") && strings.Contains(l, "container.id="+ctrID) {
			return true, strings.Contains(l, "trace_id=")
		}
	}
	return false, false
}

// TestSIGHUPSwitchesTracing starts the daemon with tracing off, switches it
// on, tries a broken file, and switches it off again, all with SIGHUP and
// without dropping kubelet's connection.
func TestSIGHUPSwitchesTracing(t *testing.T) {
	recv := startReceiver(t)
	sock := socketPath(t)
	cfg := writeConfig(t, tracingConfig(false, recv.Addr()))
	d := startDaemon(t, sock, "--config", cfg, "--log-level", "debug")
	tp, _ := newKubeletProvider(t, sdktrace.AlwaysSample(), "")
	ctx := klogContext(t)
	k := newKubelet(ctx, t, sock, tp)
	p := &probe{tp: tp}
	var mustNotExport []string // trace ids of calls made while tracing was off

	// Off: no instrumentation, no exporter, no connection to the collector.
	for range 5 {
		tr, id := p.call(ctx, t, k)
		mustNotExport = append(mustNotExport, tr)
		if !testutil.Eventually(startTimeout, func() bool { l, _ := served(d.Stderr.String(), id); return l }) {
			t.Fatalf("no log line for the call on container %s", id)
		}
		if _, instr := served(d.Stderr.String(), id); instr {
			t.Errorf("call on %s was served instrumented while tracing is off", id)
		}
	}
	if n := recv.Connections(); n != 0 {
		t.Fatalf("receiver saw %d connection(s) while tracing was off, want 0", n)
	}

	// On: the next calls on the same connection get spans, once the client
	// has followed the server's GOAWAY to the instrumented generation.
	rewriteConfig(t, cfg, tracingConfig(true, recv.Addr()))
	d.Signal(t, syscall.SIGHUP)
	d.WaitLog(t, logReloaded, 1)
	var sent []string
	if !testutil.Eventually(startTimeout, func() bool {
		tr, _ := p.call(ctx, t, k)
		sent = append(sent, tr)
		for _, id := range sent {
			if len(otlpreceiver.Trace(serverSpans(recv.Spans()), id)) > 0 {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no server span after switching tracing on (%d calls)\nstderr:\n%s", len(sent), d.Stderr.String())
	}

	// A broken file: an error naming the key, and tracing stays on.
	rewriteConfig(t, cfg, tracingConfig(true, recv.Addr(), "tracing_sampling_rate_per_million = 5000000"))
	d.Signal(t, syscall.SIGHUP)
	stderr := d.WaitLog(t, logNotReloaded, 1)
	if !strings.Contains(lineWith(stderr, logNotReloaded), "tracing_sampling_rate_per_million") {
		t.Errorf("reload error does not name the key:\n%s", lineWith(stderr, logNotReloaded))
	}
	tr, id := p.call(ctx, t, k)
	wctx, cancel := context.WithTimeout(t.Context(), startTimeout)
	defer cancel()
	if _, err := recv.WaitFor(wctx, func(s []otlpreceiver.Span) bool {
		return len(otlpreceiver.Trace(serverSpans(s), tr)) > 0
	}); err != nil {
		t.Fatalf("no span after a broken reload; the running config was lost: %v", err)
	}
	// An instrumented call's log line carries the trace id: what tells
	// "served instrumented" from "not" below.
	if logged, instr := served(d.Stderr.String(), id); !logged || !instr {
		t.Fatalf("traced call on %s: logged %t, with trace_id %t; want both", id, logged, instr)
	}

	// Off again: once a call is served uninstrumented, no later call on the
	// old connection or a new one is traced.
	rewriteConfig(t, cfg, tracingConfig(false, recv.Addr()))
	d.Signal(t, syscall.SIGHUP)
	d.WaitLog(t, logReloaded, 2)
	if !testutil.Eventually(startTimeout, func() bool {
		_, id := p.call(ctx, t, k)
		var logged, instr bool
		// A call lost in the switch is not logged; try another.
		testutil.Eventually(5*time.Second, func() bool { logged, instr = served(d.Stderr.String(), id); return logged })
		return logged && !instr
	}) {
		t.Fatalf("calls still served instrumented after switching tracing off\nstderr:\n%s", d.Stderr.String())
	}
	fresh := newKubelet(ctx, t, sock, tp)
	for range 3 {
		for _, kk := range []*kubelet{k, fresh} {
			tr, id := p.call(ctx, t, kk)
			mustNotExport = append(mustNotExport, tr)
			if !testutil.Eventually(startTimeout, func() bool { l, _ := served(d.Stderr.String(), id); return l }) {
				t.Fatalf("no log line for the call on container %s", id)
			}
		}
	}

	// SIGTERM flushes whatever was recorded; none of the untraced calls is.
	if code := d.Stop(t); code != 0 {
		t.Fatalf("exit code = %d, want 0", code)
	}
	spans := recv.Spans()
	for _, tr := range mustNotExport {
		if got := otlpreceiver.Trace(serverSpans(spans), tr); len(got) > 0 {
			t.Errorf("call made with tracing off was exported: %q in trace %s", spanNames(got), tr)
		}
	}
}

// lineWith returns the last line of s that contains substr.
func lineWith(s, substr string) string {
	var out string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = l
		}
	}
	return out
}
