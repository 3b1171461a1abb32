package tracing

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/stats"
)

// instance is one built SDK pipeline: tracer provider, exporter and the
// otelgrpc handlers bound to them. A reload that changes the exporter builds
// a new instance; the old one lives on, reference-counted, until every gRPC
// server generation that started spans with it has drained, so the spans of
// RPCs in flight across a reload are flushed, not lost.
type instance struct {
	cfg      Config
	tp       *sdktrace.TracerProvider
	server   stats.Handler
	client   stats.Handler
	dropped  atomic.Int64 // spans lost: queue full or export failed
	reported int64        // dropped as of the last log line; guarded by the provider's mu
	lastLog  time.Time    // when that line was written; guarded by the provider's mu
	refs     atomic.Int64
	shutOnce sync.Once
	shutErr  error
	done     chan struct{}
}

// newInstance builds the pipeline for c, exporting to t and sampling roots
// with sampler (the provider's, shared by its pipelines). onExport receives
// each export's outcome. It does no network I/O.
func newInstance(ctx context.Context, c Config, t *target, res *sdkresource.Resource, prop propagation.TextMapPropagator, sampler *ruleSampler, onExport func(*instance, error) bool) (*instance, error) {
	exp, err := newExporter(ctx, t)
	if err != nil {
		return nil, err
	}
	in := &instance{cfg: c, done: make(chan struct{})}
	in.refs.Store(1) // the provider's own reference
	watched := &watchedExporter{SpanExporter: exp, dropped: &in.dropped, onResult: func(err error) bool { return onExport(in, err) }}
	// Guideline steps 2 and 8: the pipeline and its sampler (enhancements/distributed-tracing-with-opentelemetry.md).
	// guideline:begin pipeline
	// The batcher never blocks the caller: past the queue bound it drops and counts.
	batcher := newBatcher(watched, c, &in.dropped)
	in.tp = sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sampler)),
		sdktrace.WithSpanProcessor(batcher),
	)
	// guideline:end pipeline
	common := []otelgrpc.Option{
		otelgrpc.WithTracerProvider(in.tp),
		otelgrpc.WithPropagators(prop),
		// RPC metrics are not the kit's business; keep the global meter
		// provider (and its cost) out of the hot path.
		otelgrpc.WithMeterProvider(metricnoop.NewMeterProvider()),
	}
	in.server = spanEventsOnly(otelgrpc.NewServerHandler(common...))
	in.client = spanEventsOnly(otelgrpc.NewClientHandler(common...))
	return in, nil
}

func (in *instance) acquire() { in.refs.Add(1) }

// release drops one reference; the last one flushes and shuts the pipeline
// down in the background, bounded by the export timeout.
func (in *instance) release() {
	if in.refs.Add(-1) == 0 {
		go in.shutdown(context.Background())
	}
}

// shutdown flushes and stops the pipeline once; later calls wait for the
// first and return its error.
func (in *instance) shutdown(ctx context.Context) error {
	in.shutOnce.Do(func() {
		ctx, cancel := context.WithTimeout(ctx, in.cfg.ExportTimeout.std())
		defer cancel()
		in.shutErr = in.tp.Shutdown(ctx)
		close(in.done)
	})
	<-in.done
	return in.shutErr
}
