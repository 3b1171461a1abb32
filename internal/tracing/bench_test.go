package tracing

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// BenchmarkUnary measures one unary RPC over a unix socket through each
// way of serving it: no tracing code at all, the kit with tracing off, the
// kit tracing a sampled caller into a live OTLP receiver, and the kit
// enabled with the collector down (detached). The caller always sends a
// sampled traceparent, as kubelet does inside syncPod. Compare the cases
// within one run: `go test -bench Unary -benchmem ./internal/tracing`.
func BenchmarkUnary(b *testing.B) {
	cases := []struct {
		name string
		cfg  func(b *testing.B) *Config // nil: no kit at all
	}{
		{name: "a-no-handler"},
		{name: "b-kit-off", cfg: func(*testing.B) *Config { c := DefaultConfig(); return &c }},
		{name: "c-kit-on-sampled", cfg: func(b *testing.B) *Config {
			r := startReceiver(b, "127.0.0.1:0")
			c := testConfig(r.Addr())
			c.ExportInterval = Duration(100 * time.Millisecond)
			return &c
		}},
		{name: "d-kit-on-collector-down", cfg: func(b *testing.B) *Config { c := testConfig(freeAddr(b)); return &c }},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			sock := filepath.Join(b.TempDir(), "b.sock")
			lis, err := net.Listen("unix", sock)
			if err != nil {
				b.Fatal(err)
			}
			hs := health.NewServer()
			register := func(opts ...grpc.ServerOption) *grpc.Server {
				g := grpc.NewServer(opts...)
				healthpb.RegisterHealthServer(g, hs)
				return g
			}
			if tc.cfg == nil {
				g := register()
				go func() { _ = g.Serve(lis) }()
				b.Cleanup(g.Stop)
			} else {
				p, err := NewProvider(context.Background(), *tc.cfg(b))
				if err != nil {
					b.Fatal(err)
				}
				srv := NewServer(p, register)
				go func() { _ = srv.Serve(lis) }()
				b.Cleanup(func() {
					_ = srv.Shutdown(context.Background())
					_ = p.Shutdown(context.Background())
				})
			}
			// The caller: an always-sampling SDK provider that records nothing
			// locally, so its own cost is the same in every case.
			kubelet := sdktrace.NewTracerProvider()
			b.Cleanup(func() { _ = kubelet.Shutdown(context.Background()) })
			conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()),
				grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(kubelet), otelgrpc.WithPropagators(Propagator()))))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = conn.Close() })
			client := healthpb.NewHealthClient(conn)
			ctx, span := kubelet.Tracer("kubelet").Start(context.Background(), "syncPod")
			defer span.End()
			req := &healthpb.HealthCheckRequest{}
			if _, err := client.Check(ctx, req); err != nil { // connect outside the timer
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := client.Check(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
