package otlpreceiver_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// startReceiver starts a receiver on a free loopback port and stops it when
// the test ends.
func startReceiver(t *testing.T) *otlpreceiver.Receiver {
	t.Helper()
	r, err := otlpreceiver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(r.Stop)
	return r
}

// newProvider returns an SDK tracer provider that exports every span as it
// ends to addr over OTLP/gRPC, without retries, as service. The provider is
// shut down when the test ends.
func newProvider(t *testing.T, addr, service string) *sdktrace.TracerProvider {
	t.Helper()
	exp := newExporter(t, addr)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", service))),
	)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 10*time.Second)
		defer cancel()
		_ = tp.Shutdown(ctx) // export errors were already asserted where they matter
	})
	return tp
}

// newExporter returns an OTLP/gRPC exporter to addr without retries, shut
// down when the test ends.
func newExporter(t *testing.T, addr string) *otlptrace.Exporter {
	t.Helper()
	exp, err := otlptracegrpc.New(t.Context(),
		otlptracegrpc.WithEndpoint(addr),
		otlptracegrpc.WithInsecure(),
		otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: false}),
		otlptracegrpc.WithTimeout(10*time.Second),
	)
	if err != nil {
		t.Fatalf("otlptracegrpc.New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 10*time.Second)
		defer cancel()
		_ = exp.Shutdown(ctx) // a second Shutdown after the provider's is harmless
	})
	return exp
}

// waitCount waits up to 10 s for at least n spans.
func waitCount(t *testing.T, r *otlpreceiver.Receiver, n int) []otlpreceiver.Span {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	spans, err := r.WaitFor(ctx, func(s []otlpreceiver.Span) bool { return len(s) >= n })
	if err != nil {
		t.Fatalf("waiting for %d spans: %v", n, err)
	}
	return spans
}
