package tracing_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// A component's whole tracing set-up: a provider from the config, a gRPC
// server that carries the tracing handler only while tracing is active, and
// the shutdown order that loses no span.
func ExampleNewServer() {
	ctx := context.Background()
	cfg := tracing.DefaultConfig() // enable_tracing = false: nothing is built
	// guideline:begin provider
	tp, err := tracing.NewProvider(ctx, cfg, tracing.WithLogger(slog.Default()))
	if err != nil {
		fmt.Println(err) // names every bad key
		return
	}
	// guideline:end provider
	// guideline:begin server
	srv := tracing.NewServer(tp, func(opts ...grpc.ServerOption) *grpc.Server {
		g := grpc.NewServer(opts...) // opts holds the otelgrpc handler while active
		healthpb.RegisterHealthServer(g, health.NewServer())
		return g
	})
	// guideline:end server
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	lis, _ := net.Listen("unix", filepath.Join(dir, "s.sock"))
	go func() { _ = srv.Serve(lis) }()

	conn, _ := grpc.NewClient("unix://"+lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	fmt.Println(resp.GetStatus(), err, "instrumented:", srv.Instrumented())
	_ = conn.Close()

	// guideline:begin shutdown
	// Drain first: in-flight RPCs finish and end their spans ...
	drainCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_ = srv.Shutdown(drainCtx)
	// ... then flush them.
	flushCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_ = tp.Shutdown(flushCtx)
	// guideline:end shutdown
	fmt.Println("stopped")
	// Output:
	// SERVING <nil> instrumented: false
	// stopped
}

// Validate reports every bad key at once, with what it accepts.
func ExampleConfig_Validate() {
	cfg := tracing.DefaultConfig()
	cfg.SamplingRatePerMillion = 2_000_000
	cfg.Protocol = "udp"
	err := cfg.Validate()
	var fe *tracing.FieldError
	fmt.Println(errors.As(err, &fe), fe.Key)
	fmt.Println(err)
	// Output:
	// true tracing_sampling_rate_per_million
	// tracing_sampling_rate_per_million = "2000000" is invalid: accepted an integer from 0 to 1000000
	// tracing_protocol = "udp" is invalid: accepted "grpc" or "http/protobuf"
}

// Rules decide root spans by name; kubelet's own decision always wins for
// spans it is the parent of.
func ExampleParseRule() {
	r, _ := tracing.ParseRule("*/List*=never")
	fmt.Println(r.PerMillion, r.Match("runtime.v1.RuntimeService/ListContainers"), r.Match("runtime.v1.ImageService/PullImage"))
	// Output: 0 true false
}

// Inner spans follow the RPC's span: same provider, child of it, and
// nothing at all when the RPC is not traced.
func ExampleTracer_Start() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, rpc := tp.Tracer("otelgrpc").Start(context.Background(), "runtime.v1.ImageService/PullImage")

	// guideline:begin inner-span
	// One per package, named after it: the component's scope, not the kit's.
	tracer := tracing.NewTracer("github.com/crio-trace/crio-trace/internal/runtime/embedded")
	ctx, span := tracer.Start(ctx, "crio.image.pull", attribute.String("container.image.name", "busybox"))
	defer span.End()
	// guideline:end inner-span
	_ = ctx
	span.End()
	rpc.End()
	fmt.Println(rec.Ended()[0].Name(), rec.Ended()[0].Parent().SpanID() == rpc.SpanContext().SpanID())
	// Output: crio.image.pull true
}

// Attributes pass an allow-list: a key nobody listed is dropped, so a new
// request field holding a secret cannot leak by accident.
func ExampleAllowList() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, span := tp.Tracer("t").Start(context.Background(), "runtime.v1.RuntimeService/CreateContainer")
	// guideline:begin allow-list
	allowed := tracing.NewAllowList("k8s.pod.name", "k8s.container.name")
	allowed.Set(ctx,
		attribute.String("k8s.pod.name", "web"),
		attribute.String("container.env.DB_PASSWORD", "hunter2"), // not on the list: dropped
	)
	// guideline:end allow-list
	span.End()
	fmt.Println(rec.Ended()[0].Attributes())
	// Output: [{"k8s.pod.name":"web"}]
}

// Log lines made with a context that holds a span carry its ids.
func ExampleNewLogHandler() {
	// guideline:begin log-handler
	logger := slog.New(tracing.NewLogHandler(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { // drop the time, for a stable example
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})))
	// guideline:end log-handler
	tp := sdktrace.NewTracerProvider(sdktrace.WithIDGenerator(fixedIDs{}))
	ctx, span := tp.Tracer("t").Start(context.Background(), "s")
	defer span.End()
	logger.InfoContext(ctx, "container started")
	// Output: level=INFO msg="container started" trace_id=0102030405060708090a0b0c0d0e0f10 span_id=0102030405060708
}

type fixedIDs struct{}

func (fixedIDs) NewIDs(context.Context) (trace.TraceID, trace.SpanID) {
	return trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8}
}

func (fixedIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	return trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8}
}
