package otlpreceiver_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// TestExportOverOTLP exports spans with the real SDK and otlptracegrpc
// exporter and checks every field the receiver flattens.
func TestExportOverOTLP(t *testing.T) {
	tests := []struct {
		name  string
		emit  func(ctx context.Context, tr trace.Tracer)
		check func(t *testing.T, spans []otlpreceiver.Span)
		want  int
	}{
		{
			name: "child of server span keeps parent, attributes and service",
			want: 2,
			emit: func(ctx context.Context, tr trace.Tracer) {
				ctx, parent := tr.Start(ctx, "runtime.v1.RuntimeService/RunPodSandbox",
					trace.WithSpanKind(trace.SpanKindServer),
					trace.WithAttributes(attribute.String("k8s.pod.name", "nginx")))
				_, child := tr.Start(ctx, "crio.sandbox.run",
					trace.WithAttributes(attribute.Int("retries", 3), attribute.Bool("host.network", true)))
				child.End()
				parent.End()
			},
			check: func(t *testing.T, spans []otlpreceiver.Span) {
				parent := only(t, spans, "runtime.v1.RuntimeService/RunPodSandbox")
				child := only(t, spans, "crio.sandbox.run")
				if parent.ParentSpanID != "" {
					t.Errorf("root ParentSpanID = %q, want empty", parent.ParentSpanID)
				}
				if child.ParentSpanID != parent.SpanID || child.TraceID != parent.TraceID {
					t.Errorf("child parent/trace = %q/%q, want %q/%q",
						child.ParentSpanID, child.TraceID, parent.SpanID, parent.TraceID)
				}
				if got := otlpreceiver.Children(spans, parent); len(got) != 1 || got[0].Name != child.Name {
					t.Errorf("Children(parent) = %v, want [%s]", names(got), child.Name)
				}
				if len(parent.TraceID) != 32 || len(parent.SpanID) != 16 || strings.ToLower(parent.TraceID) != parent.TraceID {
					t.Errorf("ids %q/%q are not lower-case hex of 16/8 bytes", parent.TraceID, parent.SpanID)
				}
				if parent.Kind != "SERVER" || child.Kind != "INTERNAL" {
					t.Errorf("kinds = %q/%q, want SERVER/INTERNAL", parent.Kind, child.Kind)
				}
				if parent.Service != "svc-under-test" || parent.Resource["service.name"] != "svc-under-test" {
					t.Errorf("service = %q, resource = %v", parent.Service, parent.Resource)
				}
				if parent.Scope != "receiver-test" {
					t.Errorf("scope = %q, want receiver-test", parent.Scope)
				}
				if parent.Attributes["k8s.pod.name"] != "nginx" || child.Attributes["retries"] != "3" ||
					child.Attributes["host.network"] != "true" {
					t.Errorf("attributes: parent %v, child %v", parent.Attributes, child.Attributes)
				}
				if parent.StatusCode != otlpreceiver.StatusUnset {
					t.Errorf("status = %q, want UNSET", parent.StatusCode)
				}
				if child.Start.Before(parent.Start) || parent.End.Before(child.End) || parent.Duration() <= 0 {
					t.Errorf("times: parent %v..%v, child %v..%v", parent.Start, parent.End, child.Start, child.End)
				}
			},
		},
		{
			name: "error status, message and exception event",
			want: 1,
			emit: func(ctx context.Context, tr trace.Tracer) {
				_, s := tr.Start(ctx, "crio.image.pull", trace.WithSpanKind(trace.SpanKindClient))
				s.RecordError(errors.New("manifest unknown"))
				s.SetStatus(otelcodes.Error, "pulling \"busybox\": manifest unknown")
				s.End()
			},
			check: func(t *testing.T, spans []otlpreceiver.Span) {
				s := only(t, spans, "crio.image.pull")
				if !s.IsError() || s.StatusMessage != `pulling "busybox": manifest unknown` {
					t.Errorf("status = %q %q", s.StatusCode, s.StatusMessage)
				}
				if s.Kind != "CLIENT" {
					t.Errorf("kind = %q, want CLIENT", s.Kind)
				}
				if len(s.Events) != 1 || s.Events[0].Name != "exception" ||
					s.Events[0].Attributes["exception.message"] != "manifest unknown" || s.Events[0].Time.IsZero() {
					t.Errorf("events = %+v", s.Events)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := startReceiver(t)
			tp := newProvider(t, r.Addr(), "svc-under-test")
			tc.emit(t.Context(), tp.Tracer("receiver-test"))
			tc.check(t, waitCount(t, r, tc.want))
			if got := len(r.Spans()); got != tc.want {
				t.Errorf("received %d spans, want %d", got, tc.want)
			}
			if r.Requests() < 1 || r.Connections() < 1 {
				t.Errorf("requests = %d, connections = %d, want both >= 1", r.Requests(), r.Connections())
			}
		})
	}
}

func TestWaitFor(t *testing.T) {
	tests := []struct {
		name    string
		spans   int
		timeout time.Duration
		cond    func([]otlpreceiver.Span) bool
		wantErr string
	}{
		{
			name:    "times out and says how many spans were seen",
			spans:   2,
			timeout: 200 * time.Millisecond,
			cond:    func(s []otlpreceiver.Span) bool { return len(otlpreceiver.ByName(s, "never")) > 0 },
			wantErr: "2 span(s) received",
		},
		{
			name:    "times out on an empty receiver",
			timeout: 100 * time.Millisecond,
			cond:    func(s []otlpreceiver.Span) bool { return len(s) > 0 },
			wantErr: "0 span(s) received",
		},
		{
			name:    "returns as soon as the condition holds",
			spans:   3,
			timeout: 10 * time.Second,
			cond:    func(s []otlpreceiver.Span) bool { return len(otlpreceiver.ByName(s, "span-2")) == 1 },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := startReceiver(t)
			tp := newProvider(t, r.Addr(), "waiter")
			tr := tp.Tracer("receiver-test")
			go func() {
				for i := range tc.spans {
					_, s := tr.Start(context.Background(), "span-"+string(rune('0'+i)))
					s.End()
				}
			}()
			if tc.wantErr != "" {
				// Let the exports land first so the count in the error is stable.
				waitCount(t, r, tc.spans)
			}
			ctx, cancel := context.WithTimeout(t.Context(), tc.timeout)
			defer cancel()
			spans, err := r.WaitFor(ctx, tc.cond)
			if tc.wantErr == "" {
				if err != nil || !tc.cond(spans) {
					t.Fatalf("WaitFor = %d spans, %v; want condition met", len(spans), err)
				}
				waitCount(t, r, tc.spans) // the emitter finished before the provider shuts down
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("WaitFor error = %v, want %q wrapping DeadlineExceeded", err, tc.wantErr)
			}
			if len(spans) != tc.spans {
				t.Errorf("WaitFor returned %d spans on timeout, want %d", len(spans), tc.spans)
			}
		})
	}
}

func TestConnectionsAndReset(t *testing.T) {
	tests := []struct {
		name      string
		export    bool
		rawDial   bool
		wantConns int
		wantSpans int
	}{
		{name: "nothing dials: zero connections", wantConns: 0},
		{name: "a bare TCP dial counts without a request", rawDial: true, wantConns: 1},
		{name: "an exporter connects once and exports", export: true, wantConns: 1, wantSpans: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := startReceiver(t)
			if tc.rawDial {
				var d net.Dialer
				c, err := d.DialContext(t.Context(), "tcp", r.Addr())
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				t.Cleanup(func() { _ = c.Close() })
				waitFor(t, 10*time.Second, fmt.Sprintf("%d connections", tc.wantConns), func() bool { return r.Connections() >= tc.wantConns })
			}
			if tc.export {
				tp := newProvider(t, r.Addr(), "conn")
				_, s := tp.Tracer("receiver-test").Start(t.Context(), "one")
				s.End()
				waitCount(t, r, tc.wantSpans)
			}
			if got := r.Connections(); got != tc.wantConns {
				t.Errorf("Connections = %d, want %d", got, tc.wantConns)
			}
			if got := len(r.Spans()); got != tc.wantSpans {
				t.Errorf("spans = %d, want %d", got, tc.wantSpans)
			}
			r.Reset()
			if len(r.Spans()) != 0 || r.Requests() != 0 {
				t.Errorf("after Reset: %d spans, %d requests", len(r.Spans()), r.Requests())
			}
			if got := r.Connections(); got != tc.wantConns {
				t.Errorf("Connections after Reset = %d, want %d (Reset must not clear it)", got, tc.wantConns)
			}
		})
	}
}

// TestRestartOnSamePort stops a receiver that an exporter is connected to
// and starts a new one on the same port; the same exporter must reach it.
func TestRestartOnSamePort(t *testing.T) {
	first := startReceiver(t)
	addr := first.Addr()
	tp := newProvider(t, addr, "restart")
	tr := tp.Tracer("receiver-test")
	_, s := tr.Start(t.Context(), "before")
	s.End()
	waitCount(t, first, 1)

	first.Stop()
	first.Stop() // idempotent
	if got := otlpreceiver.ByName(first.Spans(), "before"); len(got) != 1 {
		t.Fatalf("spans of a stopped receiver are gone: %v", names(first.Spans()))
	}

	second, err := otlpreceiver.Start(addr)
	if err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	t.Cleanup(second.Stop)
	if second.Addr() != addr {
		t.Fatalf("restarted on %s, want %s", second.Addr(), addr)
	}
	// The exporter's connection broke with the old server; a span ended
	// before it reconnects may be lost, so emit again each second until
	// one lands.
	deadline := time.Now().Add(20 * time.Second)
	var spans []otlpreceiver.Span
	for {
		_, s := tr.Start(t.Context(), "after")
		s.End()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		spans, err = second.WaitFor(ctx, func(got []otlpreceiver.Span) bool {
			return len(otlpreceiver.ByName(got, "after")) > 0
		})
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no span reached the restarted receiver: %v", err)
		}
	}
	if got := otlpreceiver.ByName(spans, "before"); len(got) != 0 {
		t.Errorf("new receiver has the old receiver's spans: %v", names(spans))
	}
}

func TestSetFailing(t *testing.T) {
	tests := []struct {
		name      string
		code      codes.Code
		wantErr   string
		wantSpans int
	}{
		{name: "unavailable is reported to the exporter", code: codes.Unavailable, wantErr: "Unavailable"},
		{name: "invalid argument is reported to the exporter", code: codes.InvalidArgument, wantErr: "InvalidArgument"},
		{name: "OK serves normally", code: codes.OK, wantSpans: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := startReceiver(t)
			r.SetFailing(tc.code)
			exp := newExporter(t, r.Addr())
			// Export directly rather than through a provider: the SDK hands a
			// syncer's export error to the global error handler, not to us.
			stub := tracetest.SpanStub{
				Name: "maybe",
				SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
					TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled,
				}),
				StartTime: time.Now(),
				EndTime:   time.Now(),
			}
			err := exp.ExportSpans(t.Context(), tracetest.SpanStubs{stub}.Snapshots())
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("ExportSpans = %v, want success", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("ExportSpans = %v, want an error containing %q", err, tc.wantErr)
			}
			if got := r.Requests(); got != 1 {
				t.Errorf("Requests = %d, want 1", got)
			}
			if got := len(r.Spans()); got != tc.wantSpans {
				t.Errorf("spans = %d, want %d", got, tc.wantSpans)
			}
		})
	}
}

func only(t *testing.T, spans []otlpreceiver.Span, name string) otlpreceiver.Span {
	t.Helper()
	got := otlpreceiver.ByName(spans, name)
	if len(got) != 1 {
		t.Fatalf("%d spans named %q among %v, want 1", len(got), name, names(spans))
	}
	return got[0]
}

func names(spans []otlpreceiver.Span) []string {
	out := make([]string, 0, len(spans))
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

// TestSpansIsACopy checks that callers cannot change what the receiver
// holds through the slices and maps it hands out.
func TestSpansIsACopy(t *testing.T) {
	r := startReceiver(t)
	tp := newProvider(t, r.Addr(), "copy")
	_, s := tp.Tracer("receiver-test").Start(t.Context(), "original", trace.WithAttributes(attribute.String("k", "v")))
	s.AddEvent("ev", trace.WithAttributes(attribute.String("ek", "ev")))
	s.End()
	got := waitCount(t, r, 1)
	got[0].Name = "changed"
	got[0].Attributes["k"] = "changed"
	got[0].Resource["service.name"] = "changed"
	got[0].Events[0].Attributes["ek"] = "changed"
	again := r.Spans()[0]
	tests := []struct {
		name, got, want string
	}{
		{name: "name", got: again.Name, want: "original"},
		{name: "attribute", got: again.Attributes["k"], want: "v"},
		{name: "resource", got: again.Resource["service.name"], want: "copy"},
		{name: "event attribute", got: again.Events[0].Attributes["ek"], want: "ev"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("%s = %q after the caller changed its copy, want %q", tc.name, tc.got, tc.want)
			}
		})
	}
}
