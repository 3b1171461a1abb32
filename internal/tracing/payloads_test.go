package tracing

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/stats"
)

// countingHandler is a stats.Handler that counts the RPC events it gets,
// by type name without the package ("Begin", "InPayload", ...).
type countingHandler struct{ got map[string]int }

func (h *countingHandler) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context {
	h.got["TagRPC"]++
	return ctx
}

func (h *countingHandler) HandleRPC(_ context.Context, rs stats.RPCStats) {
	h.got[strings.TrimPrefix(fmt.Sprintf("%T", rs), "*stats.")]++
}

func (h *countingHandler) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	h.got["TagConn"]++
	return ctx
}

func (h *countingHandler) HandleConn(context.Context, stats.ConnStats) { h.got["HandleConn"]++ }

// unaryEvents is what grpc-go hands a server's stats handler for one
// unary call, in order.
func unaryEvents(start time.Time) []stats.RPCStats {
	addr := &net.UnixAddr{Name: "/run/test.sock", Net: "unix"}
	return []stats.RPCStats{
		&stats.Begin{BeginTime: start},
		&stats.InHeader{FullMethod: "/runtime.v1.RuntimeService/Version", LocalAddr: addr, RemoteAddr: addr},
		&stats.InPayload{Length: 10, RecvTime: start},
		&stats.OutHeader{},
		&stats.OutPayload{Length: 40, SentTime: start},
		&stats.OutTrailer{},
		&stats.End{BeginTime: start, EndTime: start.Add(time.Millisecond)},
	}
}

func TestSpanEventsOnlyPassesWhatTheSpanNeeds(t *testing.T) {
	inner := &countingHandler{got: map[string]int{}}
	h := spanEventsOnly(inner)
	ctx := h.TagConn(context.Background(), &stats.ConnTagInfo{})
	h.HandleConn(ctx, &stats.ConnBegin{})
	ctx = h.TagRPC(ctx, &stats.RPCTagInfo{FullMethodName: "/runtime.v1.RuntimeService/Version"})
	for _, ev := range unaryEvents(time.Now()) {
		h.HandleRPC(ctx, ev)
	}
	h.HandleRPC(ctx, &stats.InTrailer{Client: true})
	want := map[string]int{"TagConn": 1, "HandleConn": 1, "TagRPC": 1, "Begin": 1, "InHeader": 1, "OutHeader": 1, "End": 1}
	for k, n := range want {
		if inner.got[k] != n {
			t.Errorf("%s reached the wrapped handler %d times, want %d (all: %v)", k, inner.got[k], n, inner.got)
		}
	}
	for _, k := range []string{"InPayload", "OutPayload", "OutTrailer", "InTrailer"} {
		if inner.got[k] != 0 {
			t.Errorf("%s reached the wrapped handler %d times, want 0", k, inner.got[k])
		}
	}
}

// TestSpanEventsOnlyKeepsTheSpan: otelgrpc's server handler, wrapped,
// makes the same span of a call as unwrapped: one ended SERVER span with the
// same name, attributes (the gRPC status code, the server address) and
// status, and no events.
func TestSpanEventsOnlyKeepsTheSpan(t *testing.T) {
	run := func(wrap func(stats.Handler) stats.Handler) sdktrace.ReadOnlySpan {
		t.Helper()
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
		t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		h := wrap(otelgrpc.NewServerHandler(otelgrpc.WithTracerProvider(tp)))
		ctx := h.TagRPC(context.Background(), &stats.RPCTagInfo{FullMethodName: "/runtime.v1.RuntimeService/Version"})
		for _, ev := range unaryEvents(time.Now()) {
			h.HandleRPC(ctx, ev)
		}
		spans := rec.Ended()
		if len(spans) != 1 {
			t.Fatalf("got %d ended spans, want 1", len(spans))
		}
		return spans[0]
	}
	got := run(spanEventsOnly)
	want := run(func(h stats.Handler) stats.Handler { return h })
	if got.Name() != "runtime.v1.RuntimeService/Version" || got.SpanKind() != trace.SpanKindServer {
		t.Errorf("span %q kind %v, want runtime.v1.RuntimeService/Version, SERVER", got.Name(), got.SpanKind())
	}
	if g, w := attribute.NewSet(got.Attributes()...), attribute.NewSet(want.Attributes()...); !g.Equals(&w) {
		t.Errorf("span attributes %v, want those of the unwrapped handler %v", got.Attributes(), want.Attributes())
	}
	status := false
	for _, kv := range got.Attributes() {
		if kv.Key == "rpc.response.status_code" || kv.Key == "rpc.grpc.status_code" {
			status = true
		}
	}
	if !status {
		t.Errorf("span attributes %v lack the gRPC status code", got.Attributes())
	}
	if got.Status() != want.Status() || len(got.Events()) != 0 {
		t.Errorf("span status %v and %d events, want %v and none", got.Status(), len(got.Events()), want.Status())
	}
}
