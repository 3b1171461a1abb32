package tracing

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// countingProcessor counts the spans the gate lets through.
type countingProcessor struct {
	sdktrace.SpanProcessor
	admitted atomic.Int64
}

func (c *countingProcessor) OnEnd(sdktrace.ReadOnlySpan) { c.admitted.Add(1) }

func TestQueueGateCountsWhatItDrops(t *testing.T) {
	inner := &countingProcessor{SpanProcessor: tracetest.NewSpanRecorder()}
	var dropped atomic.Int64
	gate := &queueGate{SpanProcessor: inner, limit: 2, dropped: &dropped}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(gate))
	end := func(n int) {
		for range n {
			_, s := tp.Tracer("t").Start(context.Background(), "s")
			s.End()
		}
	}
	end(5)
	if inner.admitted.Load() != 2 || dropped.Load() != 3 {
		t.Fatalf("admitted %d dropped %d, want 2 and 3", inner.admitted.Load(), dropped.Load())
	}
	gate.sent(2) // the exporter sent the batch: room again
	end(1)
	if inner.admitted.Load() != 3 || dropped.Load() != 3 {
		t.Fatalf("after a sent batch: admitted %d dropped %d, want 3 and 3", inner.admitted.Load(), dropped.Load())
	}
}

// An exporter that cannot keep up loses spans, and says so in one line.
func TestOverloadIsCountedAndLogged(t *testing.T) {
	old := dropLogInterval
	dropLogInterval = 0
	t.Cleanup(func() { dropLogInterval = old })
	r := startReceiver(t, "127.0.0.1:0")
	cfg := testConfig(r.Addr())
	cfg.ExportQueueSize, cfg.ExportBatchSize = 4, 4
	cfg.ExportInterval = Duration(time.Minute) // only full batches leave
	logger, logs := newLogger()
	s := startStack(t, cfg, logger)
	eventually(t, "instrumented", s.srv.Instrumented)
	s.call(t, 200)
	eventually(t, "a drop count", func() bool { return s.p.Dropped() > 0 })
	s.call(t, 8) // a later successful export writes the line
	eventually(t, "the dropped-spans line", func() bool { return logs.count("spans dropped") > 0 })
	if !strings.Contains(logs.String(), "dropped_total=") {
		t.Fatalf("log lacks the total:\n%s", logs)
	}
}
