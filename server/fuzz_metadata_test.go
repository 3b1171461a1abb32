package server

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// FuzzTraceMetadata sends any traceparent, tracestate and baggage as raw
// gRPC metadata to a real gRPC server wired as the daemon wires it (the
// Server's interceptors, otelgrpc with the kit's propagator and its
// sampler with the default rules), on a call the rules leave to the rate,
// one they never trace and one they always trace, at rate 1000000 and 0.
// The call succeeds whatever the metadata; then, by the W3C Trace Context
// rules (https://www.w3.org/TR/trace-context/#traceparent-header):
//
//   - a valid traceparent is joined: its sampled flag decides, the span is
//     its child and carries the tracestate when that parses;
//   - an invalid one is ignored: the call is a root, sampled by the rules
//     and the rate, in a fresh trace;
//   - baggage never becomes a span attribute.
func FuzzTraceMetadata(f *testing.F) {
	good := "00-" + "4bf92f3577b34da6a3ce929d0e0e4736" + "-" + "00f067aa0ba902b7" + "-01"
	for _, tp := range []string{
		good, strings.Replace(good, "-01", "-00", 1), strings.Replace(good, "-01", "-03", 1), strings.Replace(good, "-01", "-09", 1),
		"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", "ff" + good[2:], strings.ToUpper(good),
		good[:54], good + "0", "00-" + strings.Repeat("0", 32) + good[35:], good[:36] + strings.Repeat("0", 16) + good[52:],
		"", "garbage", "00-" + strings.Repeat("a", 1024),
	} {
		for call := range uint8(6) {
			f.Add(tp, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", "userId=alice,k8s.pod.name=evil", call)
		}
	}
	f.Add(good, "=,=", "%%%", uint8(0))
	f.Add(good, strings.Repeat("a=b,", 40), "k=v;p", uint8(4))

	servers := [2]*metadataServer{newMetadataServer(f, 1_000_000), newMetadataServer(f, 0)}
	f.Fuzz(func(t *testing.T, traceparent, tracestate, baggage string, call uint8) {
		srv := servers[call/3%2]
		kind := rootKinds[call%3]
		ctx := metadata.NewOutgoingContext(t.Context(), metadata.Pairs(
			"traceparent", traceparent, "tracestate", tracestate, "baggage", baggage))
		begun := srv.begun.Load()
		err := kind.call(ctx, srv.rt, srv.img)
		if srv.begun.Load() == begun {
			return // grpc-go refused the metadata before sending anything
		}
		select {
		case <-srv.ended:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the server never ended the RPC", kind.name)
		}
		if err != nil {
			t.Fatalf("%s with traceparent %q: %v", kind.name, traceparent, err)
		}
		spans := srv.spans.take()

		parent, verdict := parseTraceparent(traceparent)
		want := 0
		switch {
		case verdict == tpValid && parent.IsSampled():
			want = 1
		case verdict == tpInvalid && kind.sampledRoot(srv.rate):
			want = 1
		case verdict == tpUnsure:
			want = len(spans)
		}
		if len(spans) != want || len(spans) > 1 {
			t.Fatalf("%s at rate %d with traceparent %q (%s): %d spans, want %d", kind.name, srv.rate, traceparent, verdict, len(spans), want)
		}
		if len(spans) == 0 {
			return
		}
		s := spans[0]
		if s.Name() != kind.name {
			t.Fatalf("span %q, want %q", s.Name(), kind.name)
		}
		switch verdict {
		case tpValid:
			if s.Parent().TraceID() != parent.TraceID() || s.Parent().SpanID() != parent.SpanID() || !s.Parent().IsRemote() {
				t.Fatalf("traceparent %q: span's parent is %v, want %v", traceparent, s.Parent(), parent)
			}
			if ts, err := trace.ParseTraceState(tracestate); err == nil && s.SpanContext().TraceState().String() != ts.String() {
				t.Fatalf("tracestate %q: span has %q, want %q", tracestate, s.SpanContext().TraceState(), ts)
			}
		case tpInvalid:
			if s.Parent().IsValid() {
				t.Fatalf("invalid traceparent %q: span has parent %v, want a root", traceparent, s.Parent())
			}
			if id := s.SpanContext().TraceID().String(); strings.Contains(strings.ToLower(traceparent), id) {
				t.Fatalf("invalid traceparent %q: the root took its trace id %s from it", traceparent, id)
			}
		}
		for _, kv := range s.Attributes() {
			k := string(kv.Key)
			if !allowList.Allows(kv.Key) && !strings.HasPrefix(k, "rpc.") && !strings.HasPrefix(k, "server.") && !strings.HasPrefix(k, "network.") {
				t.Fatalf("span attribute %s=%q is neither allow-listed nor otelgrpc's (baggage %q)", k, kv.Value.Emit(), baggage)
			}
		}
	})
}

// rootKind is one call the fuzz target makes, and how the default rules
// treat it as a root.
type rootKind struct {
	name string
	call func(ctx context.Context, rt runtimeapi.RuntimeServiceClient, img runtimeapi.ImageServiceClient) error
	rule string // "rate", "never" or "always"
}

func (k rootKind) sampledRoot(rate int) bool {
	return k.rule == "always" || (k.rule == "rate" && rate >= 1_000_000)
}

var rootKinds = [3]rootKind{
	{runtimeService + "/RunPodSandbox", func(ctx context.Context, rt runtimeapi.RuntimeServiceClient, _ runtimeapi.ImageServiceClient) error {
		_, err := rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: validPodConfig()})
		return err
	}, "rate"},
	{runtimeService + "/ListContainers", func(ctx context.Context, rt runtimeapi.RuntimeServiceClient, _ runtimeapi.ImageServiceClient) error {
		_, err := rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
		return err
	}, "never"},
	{imageService + "/PullImage", func(ctx context.Context, _ runtimeapi.RuntimeServiceClient, img runtimeapi.ImageServiceClient) error {
		_, err := img.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}})
		return err
	}, "always"},
}

// metadataServer is a Server behind a real grpc.Server on a unix socket,
// traced as the daemon traces it, with a client.
type metadataServer struct {
	rate  int
	rt    runtimeapi.RuntimeServiceClient
	img   runtimeapi.ImageServiceClient
	spans *spanSink
	begun atomic.Int64
	ended chan struct{}
}

func newMetadataServer(f *testing.F, rate int) *metadataServer {
	f.Helper()
	ms := &metadataServer{rate: rate, spans: &spanSink{}, ended: make(chan struct{}, 1)}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(tracing.NewSampler(DefaultSamplingRules(), rate)),
		sdktrace.WithSpanProcessor(ms.spans))
	handler := otelgrpc.NewServerHandler(otelgrpc.WithTracerProvider(tp),
		otelgrpc.WithPropagators(tracing.Propagator()), otelgrpc.WithMeterProvider(metricnoop.NewMeterProvider()))
	srv := New(&fakeBackend{}, Options{})
	gs := grpc.NewServer(append(srv.ServerOptions(), grpc.StatsHandler(&endSignal{Handler: handler, ms: ms}))...)
	srv.Register(gs)
	sock := filepath.Join(f.TempDir(), "crio.sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		f.Fatalf("listen on %q: %v", sock, err)
	}
	go func() { _ = gs.Serve(lis) }()
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		f.Fatalf("dial %q: %v", sock, err)
	}
	f.Cleanup(func() {
		_ = conn.Close()
		gs.Stop()
		_ = tp.Shutdown(context.Background())
	})
	ms.rt, ms.img = runtimeapi.NewRuntimeServiceClient(conn), runtimeapi.NewImageServiceClient(conn)
	return ms
}

// endSignal counts the RPCs the server began and signals each one's end,
// after otelgrpc has ended its span.
type endSignal struct {
	stats.Handler
	ms *metadataServer
}

func (h *endSignal) HandleRPC(ctx context.Context, s stats.RPCStats) {
	if _, ok := s.(*stats.Begin); ok {
		h.ms.begun.Add(1)
	}
	h.Handler.HandleRPC(ctx, s)
	if _, ok := s.(*stats.End); ok {
		h.ms.ended <- struct{}{}
	}
}

// spanSink keeps the spans ended since the last take.
type spanSink struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
}

func (s *spanSink) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (s *spanSink) OnEnd(span sdktrace.ReadOnlySpan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spans = append(s.spans, span)
}
func (s *spanSink) Shutdown(context.Context) error   { return nil }
func (s *spanSink) ForceFlush(context.Context) error { return nil }

func (s *spanSink) take() []sdktrace.ReadOnlySpan {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.spans
	s.spans = nil
	return out
}
