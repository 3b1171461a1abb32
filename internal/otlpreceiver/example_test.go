package otlpreceiver_test

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// A test starts a receiver, points a component's exporter at it, and waits
// for the spans it expects instead of sleeping.
func ExampleReceiver_WaitFor() {
	r, err := otlpreceiver.Start("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(r.Addr()), otlptracegrpc.WithInsecure())
	if err != nil {
		fmt.Println(err)
		return
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "crio-trace"))))
	_, span := tp.Tracer("example").Start(ctx, "runtime.v1.RuntimeService/Version",
		trace.WithSpanKind(trace.SpanKindServer))
	span.End()
	_ = tp.Shutdown(ctx) // flushes the batch

	spans, err := r.WaitFor(ctx, func(s []otlpreceiver.Span) bool {
		return len(otlpreceiver.ByName(s, "runtime.v1.RuntimeService/Version")) == 1
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := spans[0]
	fmt.Println(s.Service, s.Kind, s.Name, s.ParentSpanID == "")
	// Output:
	// crio-trace SERVER runtime.v1.RuntimeService/Version true
}
