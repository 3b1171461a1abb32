package tracing

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// logBuffer is a concurrency-safe log sink whose lines tests count.
type logBuffer struct{ syncBuffer }

// count returns how many lines contain sub.
func (b *logBuffer) count(sub string) int { return b.Count(sub) }

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// testConfig is an enabled config pointed at endpoint with quick export
// and probing, so tests wait milliseconds, not seconds.
func testConfig(endpoint string) Config {
	c := DefaultConfig()
	c.Enabled = true
	c.ServiceName = "crio-trace" // a component names itself
	c.Endpoint = endpoint
	c.SamplingRatePerMillion = 1_000_000
	c.ExportInterval = Duration(20 * time.Millisecond)
	c.ExportTimeout = Duration(time.Second)
	c.ProbeInterval = Duration(100 * time.Millisecond)
	return c
}

// freeAddr returns a loopback address nobody listens on (yet).
func freeAddr(t testing.TB) string { return freeLoopbackAddr(t) }

// stack is a component served through the kit: the gRPC health service
// stands in for any service, since the kit knows nothing about CRI.
type stack struct {
	p      *Provider
	srv    *Server
	client healthpb.HealthClient
	conn   *grpc.ClientConn
	// kubelet plays the caller: an SDK provider whose client spans are the
	// parents of the component's server spans.
	kubelet *sdktrace.TracerProvider
	callerR *tracetest.SpanRecorder
}

func startStack(t testing.TB, cfg Config, logger *slog.Logger) *stack {
	t.Helper()
	ctx := context.Background()
	p, err := NewProvider(ctx, cfg, WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	hs := health.NewServer()
	srv := NewServer(p, func(opts ...grpc.ServerOption) *grpc.Server {
		g := grpc.NewServer(opts...)
		healthpb.RegisterHealthServer(g, hs)
		return g
	})
	sock := filepath.Join(t.TempDir(), "s.sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	rec := tracetest.NewSpanRecorder()
	kubelet := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	conn, err := grpc.NewClient("unix://"+sock,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(kubelet), otelgrpc.WithPropagators(Propagator()))))
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{p: p, srv: srv, client: healthpb.NewHealthClient(conn), conn: conn, kubelet: kubelet, callerR: rec}
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *stack) stop(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.conn.Close()
	if err := s.srv.Shutdown(ctx); err != nil {
		t.Errorf("server shutdown: %v", err)
	}
	if err := s.p.Shutdown(ctx); err != nil {
		t.Logf("provider shutdown: %v", err)
	}
	_ = s.kubelet.Shutdown(ctx)
}

// call makes n RPCs, each under a sampled kubelet root span.
func (s *stack) call(t testing.TB, n int) {
	t.Helper()
	tr := s.kubelet.Tracer("kubelet")
	for range n {
		ctx, span := tr.Start(context.Background(), "syncPod")
		_, err := s.client.Check(ctx, &healthpb.HealthCheckRequest{})
		span.End()
		if err != nil {
			t.Fatalf("RPC failed: %v", err)
		}
	}
}

// eventually fails t unless cond holds within 10 seconds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitFor(t, 10*time.Second, what, cond)
}

const checkSpan = "grpc.health.v1.Health/Check"

func serverSpans(r *otlpreceiver.Receiver) int {
	return len(otlpreceiver.ByName(r.Spans(), checkSpan))
}

func startReceiver(t testing.TB, addr string) *otlpreceiver.Receiver {
	t.Helper()
	r, err := otlpreceiver.Start(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// waitSpans waits until r holds at least n server spans, calling more RPCs
// through s while it waits: right after a switch a few RPCs may still ride
// the old, uninstrumented connection until the client processes GOAWAY.
func waitSpans(t testing.TB, r *otlpreceiver.Receiver, s *stack, n int) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d server spans at the receiver", n), func() bool {
		if serverSpans(r) >= n {
			return true
		}
		s.call(t, 1)
		return false
	})
}
