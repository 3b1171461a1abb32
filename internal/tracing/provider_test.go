package tracing

import (
	"context"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

func TestDisabledMakesNoConnection(t *testing.T) {
	r := startReceiver(t, "127.0.0.1:0")
	cfg := testConfig(r.Addr())
	cfg.Enabled = false
	logger, logs := newLogger()
	s := startStack(t, cfg, logger)
	s.call(t, 20)
	if s.srv.Instrumented() {
		t.Fatal("server carries the tracing handler while tracing is disabled")
	}
	if err := s.p.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := r.Connections(); n != 0 {
		t.Fatalf("receiver saw %d connections from a disabled component, want 0", n)
	}
	if got := logs.String(); got != "" {
		t.Fatalf("disabled tracing logged: %q", got)
	}
}

func TestSpansAreChildrenOfTheCaller(t *testing.T) {
	r := startReceiver(t, "127.0.0.1:0")
	logger, _ := newLogger()
	s := startStack(t, testConfig(r.Addr()), logger)
	if s.p.State() != StateActive {
		t.Fatalf("state %v, want active", s.p.State())
	}
	eventually(t, "the serving generation to carry the handler", s.srv.Instrumented)
	s.call(t, 3)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	spans, err := r.WaitFor(ctx, func(sp []otlpreceiver.Span) bool { return len(otlpreceiver.ByName(sp, checkSpan)) == 3 })
	if err != nil {
		t.Fatal(err)
	}
	callers := map[string]string{} // client span id -> trace id
	for _, c := range s.callerR.Ended() {
		if c.Name() == checkSpan {
			callers[c.SpanContext().SpanID().String()] = c.SpanContext().TraceID().String()
		}
	}
	for _, sp := range otlpreceiver.ByName(spans, checkSpan) {
		if sp.Kind != "SERVER" || sp.Service != "crio-trace" {
			t.Errorf("span kind %s service %s, want SERVER crio-trace", sp.Kind, sp.Service)
		}
		if tid, ok := callers[sp.ParentSpanID]; !ok || tid != sp.TraceID {
			t.Errorf("server span %s has parent %s in trace %s: not a caller's client span", sp.SpanID, sp.ParentSpanID, sp.TraceID)
		}
	}
}

func TestCollectorAbsentAtStart(t *testing.T) {
	addr := freeAddr(t)
	logger, logs := newLogger()
	s := startStack(t, testConfig(addr), logger)
	if s.p.State() != StateDetached || s.srv.Instrumented() {
		t.Fatalf("state %v instrumented %t with no collector, want detached and uninstrumented", s.p.State(), s.srv.Instrumented())
	}
	s.call(t, 50) // RPCs are unaffected
	if n := logs.count("instrumentation removed"); n != 1 {
		t.Fatalf("%d 'removed' lines, want exactly 1:\n%s", n, logs)
	}
	r := startReceiver(t, addr)
	eventually(t, "instrumentation to come back", s.srv.Instrumented)
	if n := logs.count("instrumentation restored"); n != 1 {
		t.Fatalf("%d 'restored' lines, want 1:\n%s", n, logs)
	}
	waitSpans(t, r, s, 2)
	if n := logs.count("level=WARN") + logs.count("level=ERROR"); n != 1 {
		t.Fatalf("%d warning/error lines, want only the one 'removed' line:\n%s", n, logs)
	}
}

func TestCollectorGoesAwayAndComesBack(t *testing.T) {
	addr := freeAddr(t)
	r := startReceiver(t, addr)
	logger, logs := newLogger()
	s := startStack(t, testConfig(addr), logger)
	waitSpans(t, r, s, 2)
	r.Stop()
	// Keep calling until the failed export detaches, then many more.
	eventually(t, "detach after the collector left", func() bool { s.call(t, 1); return !s.srv.Instrumented() })
	s.call(t, 200)
	if n := logs.count("instrumentation removed"); n != 1 {
		t.Fatalf("%d 'removed' lines after the collector left, want 1:\n%s", n, logs)
	}
	r2 := startReceiver(t, addr)
	eventually(t, "reattach", s.srv.Instrumented)
	waitSpans(t, r2, s, 3)
	if n := logs.count("level=WARN") + logs.count("level=ERROR"); n != 1 {
		t.Fatalf("%d warning/error lines, want exactly 1 (no stream of exporter errors):\n%s", n, logs)
	}
	if n := logs.count("instrumentation restored"); n != 1 {
		t.Fatalf("%d 'restored' lines, want 1:\n%s", n, logs)
	}
}

func TestReloadOnOff(t *testing.T) {
	r := startReceiver(t, "127.0.0.1:0")
	on := testConfig(r.Addr())
	off := on
	off.Enabled = false
	logger, _ := newLogger()
	s := startStack(t, off, logger)
	s.call(t, 2)

	if err := s.p.Reload(t.Context(), on); err != nil {
		t.Fatal(err)
	}
	eventually(t, "instrumented after off→on", s.srv.Instrumented)
	waitSpans(t, r, s, 4)

	if err := s.p.Reload(t.Context(), off); err != nil {
		t.Fatal(err)
	}
	eventually(t, "uninstrumented after on→off", func() bool { return !s.srv.Instrumented() })
	// Once the old pipeline has drained and shut down, RPCs leave no span.
	eventually(t, "old pipeline shut down", func() bool { return s.p.retiredDone() })
	before := serverSpans(r)
	s.call(t, 20)
	if n := serverSpans(r); n != before {
		t.Fatalf("%d server spans after on→off, want still %d", n, before)
	}

	// A new endpoint: spans go to the new receiver only.
	r2 := startReceiver(t, "127.0.0.1:0")
	if err := s.p.Reload(t.Context(), testConfig(r2.Addr())); err != nil {
		t.Fatal(err)
	}
	eventually(t, "instrumented on the new endpoint", s.srv.Instrumented)
	waitSpans(t, r2, s, 3)

	// An invalid config changes nothing.
	bad := testConfig(r2.Addr())
	bad.SamplingRatePerMillion = -1
	if err := s.p.Reload(t.Context(), bad); err == nil {
		t.Fatal("Reload accepted an invalid config")
	}
	if s.p.State() != StateActive {
		t.Fatalf("state %v after a refused reload, want active", s.p.State())
	}
}

func TestReloadRateOnlyKeepsPipeline(t *testing.T) {
	r := startReceiver(t, "127.0.0.1:0")
	cfg := testConfig(r.Addr())
	logger, _ := newLogger()
	s := startStack(t, cfg, logger)
	before := s.p.hot.Load()
	cfg.SamplingRatePerMillion = 0
	cfg.SamplingRules = []string{"*/Check=never"}
	if err := s.p.Reload(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	if s.p.hot.Load() != before {
		t.Fatal("a rate-only reload rebuilt the pipeline")
	}
	// The caller's sampled parent still wins over the "never" rule.
	waitSpans(t, r, s, 2)
}

func TestShutdownFlushesEverySpan(t *testing.T) {
	r := startReceiver(t, "127.0.0.1:0")
	cfg := testConfig(r.Addr())
	cfg.ExportInterval = Duration(time.Minute) // nothing leaves before Shutdown
	logger, _ := newLogger()
	s := startStack(t, cfg, logger)
	const n = 300
	s.call(t, n)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := serverSpans(r); got != n {
		t.Fatalf("%d server spans after shutdown, want all %d", got, n)
	}
}
