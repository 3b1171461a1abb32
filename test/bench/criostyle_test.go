package bench

import (
	"context"
	"runtime"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"google.golang.org/grpc"

	"github.com/crio-trace/crio-trace/server"
)

// This file rebuilds, from the public otel and otelgrpc APIs, the tracing
// wiring CRI-O ships, so crio-trace can be measured against it on the same
// server code. Nothing here is copied; it mirrors what these CRI-O files do:
//
//   - cri-o/cri-o internal/opentelemetry/tracing.go (InitTracing): an OTLP/gRPC
//     exporter (insecure) behind the SDK's default batch span processor,
//     sampler ParentBased(NeverSample, or TraceIDRatioBased(rate/1e6) when
//     the rate is above 0), propagators TraceContext + Baggage, installed as
//     the global tracer provider and propagator.
//   - cri-o/cri-o cmd/crio/main.go and server/server.go: the grpc.Server always
//     gets otelgrpc's server handler, also when tracing is disabled (then
//     with no options: the global, no-op, provider), and a chain of unary
//     interceptors that includes the log interceptor.
//   - cri-o/cri-o internal/log/interceptors/interceptors.go: the unary
//     interceptor starts a span of its own around every call…
//   - cri-o/cri-o internal/log/log.go (StartSpan): …named after the calling Go
//     function, found with runtime.Caller, from the global provider's
//     Tracer("").
//
// So a sampled RPC costs CRI-O two spans: otelgrpc's SERVER span and the
// interceptor's INTERNAL span named after a Go symbol (CRI-O's handlers add
// a third with the same helper; the CRI server measured here has only
// crio-trace's own inner spans, so that one is left out in CRI-O's favour).
// The global provider is not touched: the interceptor is given the
// provider the globals would hold, which costs the same per call.

// buildCRIOStyle returns the builder of stack f (enabled, exporting like
// stack c) or g (disabled).
func buildCRIOStyle(enabled bool) func(e env, cri *server.Server, sock, otlp string) served {
	return func(e env, cri *server.Server, sock, otlp string) served {
		ctx := context.WithoutCancel(e.Context())
		s := served{flush: noFlush}
		// CRI-O installs the handler unconditionally; with tracing
		// disabled it falls back on the global provider and propagator,
		// no-ops unless something set them.
		handler := grpc.StatsHandler(otelgrpc.NewServerHandler())
		var tp trace.TracerProvider = noop.NewTracerProvider()
		if enabled {
			sdk, opts, err := crioInitTracing(ctx, otlp, 0)
			if err != nil {
				e.Fatalf("CRI-O-style tracing: %v", err)
			}
			e.Cleanup(func() { _ = sdk.Shutdown(ctx) })
			handler = grpc.StatsHandler(otelgrpc.NewServerHandler(opts...))
			tp, s.flush = sdk, sdk.ForceFlush
		}
		opts := []grpc.ServerOption{handler, grpc.ChainUnaryInterceptor(crioLogInterceptor(tp))}
		g := grpc.NewServer(append(opts, cri.ServerOptions()...)...)
		cri.Register(g)
		serveGRPC(e, g, sock)
		return s
	}
}

// crioInitTracing builds the pipeline CRI-O's InitTracing builds: default
// batch processor, parent-based sampler, TraceContext + Baggage, and the
// otelgrpc options that bind the handler to them.
func crioInitTracing(ctx context.Context, endpoint string, ratePerMillion int) (*sdktrace.TracerProvider, []otelgrpc.Option, error) {
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(endpoint), otlptracegrpc.WithInsecure())
	if err != nil {
		return nil, nil, err
	}
	root := sdktrace.NeverSample()
	if ratePerMillion > 0 {
		root = sdktrace.TraceIDRatioBased(float64(ratePerMillion) / 1e6)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.ParentBased(root)),
		sdktrace.WithSpanProcessor(sdktrace.NewBatchSpanProcessor(exp)),
	)
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	return tp, []otelgrpc.Option{otelgrpc.WithPropagators(prop), otelgrpc.WithTracerProvider(tp)}, nil
}

// crioLogInterceptor is the unary interceptor shape of CRI-O's log
// interceptor, reduced to its tracing part: a span around the call, named
// by crioStartSpan after the Go function that asked for it.
func crioLogInterceptor(tp trace.TracerProvider) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, span := crioStartSpan(ctx, tp)
		defer span.End()
		return handler(ctx, req)
	}
}

// crioStartSpan names the span after its caller's Go symbol, the pattern
// STYLE.md lists under "to avoid": the name changes with every refactoring
// and runtime.Caller plus FuncForPC cost time on every call.
func crioStartSpan(ctx context.Context, tp trace.TracerProvider) (context.Context, trace.Span) {
	name := "unknown"
	if pc, _, _, ok := runtime.Caller(1); ok {
		if fn := runtime.FuncForPC(pc); fn != nil {
			name = fn.Name()
		}
	}
	return tp.Tracer("").Start(ctx, name)
}
