package forward

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// kubelet's trace context, as its CRI client sends it.
const (
	kubeletTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	kubeletTracestate  = "vendor=opaque"
	kubeletBaggage     = "k8s.pod=web"
)

// TestPassThroughWithoutSpan: with tracing off, the caller's trace headers
// reach the runtime unchanged, and nothing else does.
func TestPassThroughWithoutSpan(t *testing.T) { eachFront(t, testPassThroughWithoutSpan) }

func testPassThroughWithoutSpan(t *testing.T, fr front) {
	c := newChain(t, Options{}, fr)
	tests := []struct {
		name string
		sent []string // key, value pairs the caller sends
		want map[string][]string
	}{
		{
			name: "trace headers pass through",
			sent: []string{"traceparent", kubeletTraceparent, "tracestate", kubeletTracestate, "baggage", kubeletBaggage},
			want: map[string][]string{
				"traceparent": {kubeletTraceparent},
				"tracestate":  {kubeletTracestate},
				"baggage":     {kubeletBaggage},
			},
		},
		{
			name: "secrets stay behind",
			sent: []string{"traceparent", kubeletTraceparent, "authorization", "Bearer s3cr3t", "x-registry-auth", "dXNlcjpwYXNz"},
			want: map[string][]string{
				"traceparent":     {kubeletTraceparent},
				"authorization":   nil,
				"x-registry-auth": nil,
			},
		},
		{
			name: "no headers, none invented",
			want: map[string][]string{"traceparent": nil, "tracestate": nil, "baggage": nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := metadata.AppendToOutgoingContext(callCtx(t), tt.sent...)
			if _, err := c.rtClient.Version(ctx, &runtimeapi.VersionRequest{}); err != nil {
				t.Fatalf("Version: %v", err)
			}
			md, _ := c.runtime.last()
			for k, want := range tt.want {
				if got := md.Get(k); !slices.Equal(got, want) {
					t.Errorf("runtime got %s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestNoDoubleTraceparentWithSpan: with tracing on, the runtime receives
// exactly one traceparent, the one of otelgrpc's CLIENT span, which is a
// child of our server span in kubelet's trace.
func TestNoDoubleTraceparentWithSpan(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	fake := newFakeRuntime()
	down := serve(t, filepath.Join(t.TempDir(), "rt.sock"), fake.register)
	b := newBackend(t, down.path, Options{DialOptions: []grpc.DialOption{
		grpc.WithStatsHandler(otelgrpc.NewClientHandler(
			otelgrpc.WithTracerProvider(tp),
			otelgrpc.WithPropagators(propagation.TraceContext{}),
		)),
	}})

	// Build what our CRI server's handler sees: kubelet's headers in the
	// incoming metadata and our SERVER span, their child, in the context.
	in := metadata.Pairs("traceparent", kubeletTraceparent, "tracestate", kubeletTracestate)
	ctx := metadata.NewIncomingContext(callCtx(t), in)
	parent := propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier{"Traceparent": {kubeletTraceparent}})
	ctx, server := tp.Tracer("test").Start(trace.ContextWithRemoteSpanContext(ctx, trace.SpanContextFromContext(parent)),
		"runtime.v1.RuntimeService/Version", trace.WithSpanKind(trace.SpanKindServer))
	if _, err := b.Version(ctx, &runtimeapi.VersionRequest{}); err != nil {
		t.Fatalf("Version: %v", err)
	}
	server.End()

	var client sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.SpanKind() == trace.SpanKindClient {
			client = s
		}
	}
	if client == nil {
		t.Fatal("no CLIENT span recorded for the downstream call")
	}
	if client.Parent().SpanID() != server.SpanContext().SpanID() {
		t.Errorf("client span's parent = %s, want the server span %s", client.Parent().SpanID(), server.SpanContext().SpanID())
	}
	md, _ := fake.last()
	got := md.Get("traceparent")
	if len(got) != 1 {
		t.Fatalf("runtime got traceparent %q, want exactly one", got)
	}
	want := propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier{"Traceparent": got})
	sc := trace.SpanContextFromContext(want)
	if sc.TraceID() != client.SpanContext().TraceID() || sc.SpanID() != client.SpanContext().SpanID() {
		t.Errorf("runtime got traceparent %q, want the client span %s/%s", got[0], client.SpanContext().TraceID(), client.SpanContext().SpanID())
	}
	if ts := md.Get("tracestate"); slices.Contains(ts, kubeletTracestate) {
		t.Errorf("runtime got the incoming tracestate %q copied beside the handler's headers", ts)
	}
	if sc.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("downstream trace id = %s, want kubelet's", sc.TraceID())
	}
}
