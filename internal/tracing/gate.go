package tracing

import (
	"context"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// queueGate sits in front of the SDK's batch span processor and admits an
// ended, sampled span only while fewer than limit spans wait for export or
// are being exported. The batch processor drops silently when its own queue
// is full; the gate drops first and counts, so an overloaded exporter is a
// number in Provider.Dropped and a log line, never a silent loss. It never
// blocks: OnEnd runs on the RPC's goroutine.
type queueGate struct {
	sdktrace.SpanProcessor // the batch processor
	limit                  int64
	pending                atomic.Int64
	dropped                *atomic.Int64
}

var _ sdktrace.SpanProcessor = (*queueGate)(nil)

// OnEnd admits s to the batch processor or counts it as dropped.
func (g *queueGate) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return
	}
	if g.pending.Add(1) > g.limit {
		g.pending.Add(-1)
		g.dropped.Add(1)
		return
	}
	g.SpanProcessor.OnEnd(s)
}

// sent is called by the exporter once a batch has left, successfully or not.
func (g *queueGate) sent(n int) { g.pending.Add(-int64(n)) }

// OnStart defers to the batch processor (which does nothing there).
func (g *queueGate) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	g.SpanProcessor.OnStart(ctx, s)
}
