package tracing

import (
	"context"
	"errors"
	"sync/atomic"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/credentials"
)

// newExporter builds the OTLP exporter for t. It never dials: both OTLP
// clients connect lazily, so a missing collector is found by the collector
// check, not by a start-up failure. The exporter's own retry is off: a failed
// batch is dropped and counted, because the kit detaches instead of retrying
// into a collector that is not there.
func newExporter(ctx context.Context, t *target) (*otlptrace.Exporter, error) {
	if t.protocol == ProtocolHTTP {
		opts := []otlptracehttp.Option{
			otlptracehttp.WithEndpoint(t.hostport),
			otlptracehttp.WithTimeout(t.timeout),
			otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
		}
		if t.path != "" {
			opts = append(opts, otlptracehttp.WithURLPath(t.path))
		}
		if t.tls == nil {
			opts = append(opts, otlptracehttp.WithInsecure())
		} else {
			opts = append(opts, otlptracehttp.WithTLSClientConfig(t.tls))
		}
		if len(t.headers) > 0 {
			opts = append(opts, otlptracehttp.WithHeaders(t.headers))
		}
		return otlptracehttp.New(ctx, opts...)
	}
	opts := []otlptracegrpc.Option{
		otlptracegrpc.WithEndpoint(t.hostport),
		otlptracegrpc.WithTimeout(t.timeout),
		otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: false}),
	}
	if t.tls == nil {
		opts = append(opts, otlptracegrpc.WithInsecure())
	} else {
		opts = append(opts, otlptracegrpc.WithTLSCredentials(credentials.NewTLS(t.tls)))
	}
	if len(t.headers) > 0 {
		opts = append(opts, otlptracegrpc.WithHeaders(t.headers))
	}
	return otlptracegrpc.New(ctx, opts...)
}

// watchedExporter reports each export's outcome to the provider, so a
// collector that goes away is noticed on the first failed batch rather than
// through a stream of error logs, and counts the spans it lost.
type watchedExporter struct {
	sdktrace.SpanExporter
	// onResult reports the outcome and whether a failure is still news
	// for OpenTelemetry's error handler (see Provider.exportResult).
	onResult func(err error) bool
	dropped  *atomic.Int64
}

func (w *watchedExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := w.SpanExporter.ExportSpans(ctx, spans)
	if err != nil && !errors.Is(err, context.Canceled) {
		w.dropped.Add(int64(len(spans)))
	}
	if !w.onResult(err) {
		// Counted in dropped and logged once by the provider.
		return nil
	}
	return err
}
