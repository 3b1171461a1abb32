package bench

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/config"
	"github.com/crio-trace/crio-trace/internal/tracing"
)

// exportRates are the offered loads of BenchmarkExport in spans per second;
// 0 means as fast as one goroutine can end spans.
var exportRates = []int{5_000, 20_000, 50_000, 100_000, 150_000, 200_000, 0}

// BenchmarkExport measures the export path alone: spans ended at a paced
// rate through crio-trace's pipeline (default queue 2048, batch 512,
// OTLP/gRPC) into a receiver on 127.0.0.1 that only counts. Each op is one
// span. It reports what arrived per second (exported-spans/s), the share
// lost (lost-%), and what tracing.Provider.Dropped counted (kit-dropped),
// which shows whether the SDK batch processor's queue-full drops reach it.
func BenchmarkExport(b *testing.B) {
	for _, rate := range exportRates {
		name := "rate=" + strconv.Itoa(rate)
		if rate == 0 {
			name = "rate=max"
		}
		b.Run(name, func(b *testing.B) {
			recv := startCountingReceiver(b, 0)
			p := exportProvider(b, recv.Addr())
			res := emitSpans(b.Context(), p, b.N, rate, b.ResetTimer)
			b.StopTimer()
			received := recv.Spans()
			b.ReportMetric(float64(b.N)/res.emit.Seconds(), "offered-spans/s")
			b.ReportMetric(float64(received)/res.total.Seconds(), "exported-spans/s")
			b.ReportMetric(100*float64(int64(b.N)-received)/float64(b.N), "lost-%")
			b.ReportMetric(float64(p.Dropped()), "kit-dropped")
			if res.flushErr != nil {
				b.Logf("flush: %v", res.flushErr)
			}
		})
	}
}

// exportProvider is crio-trace's provider, enabled with the default
// pipeline, sampling every root span, exporting to endpoint.
func exportProvider(tb testing.TB, endpoint string) *tracing.Provider {
	tb.Helper()
	c := config.DefaultTracing()
	c.Enabled = true
	c.Endpoint = endpoint
	c.SamplingRatePerMillion = 1_000_000
	ctx := context.WithoutCancel(tb.Context())
	p, err := tracing.NewProvider(ctx, c)
	if err != nil {
		tb.Fatalf("tracing provider: %v", err)
	}
	tb.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = p.Shutdown(sctx)
	})
	if p.State() != tracing.StateActive {
		tb.Fatalf("provider is %v with a live receiver at %s, want active", p.State(), endpoint)
	}
	return p
}

// emitResult is what emitSpans measured.
type emitResult struct {
	// emit runs from the first span to the last; total on to the end of
	// the final flush.
	emit, total time.Duration
	flushErr    error
}

// emitSpans ends n root spans through p at rate per second (0: unpaced),
// calling start right before the first, then flushes.
func emitSpans(ctx context.Context, p *tracing.Provider, n, rate int, start func()) emitResult {
	tr := p.TracerProvider().Tracer("github.com/crio-trace/crio-trace/test/bench")
	// Pace in bursts of 1ms worth of spans: timers are not finer than that.
	burst := max(rate/1000, 1)
	t := time.NewTimer(0)
	defer t.Stop()
	<-t.C
	start()
	t0 := time.Now()
	for i := range n {
		if rate > 0 && i%burst == 0 {
			if wait := time.Until(t0.Add(time.Duration(i) * time.Second / time.Duration(rate))); wait > 0 {
				t.Reset(wait)
				<-t.C
			}
		}
		_, span := tr.Start(ctx, "crio.bench.export")
		span.End()
	}
	emitted := time.Since(t0)
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err := p.ForceFlush(fctx)
	return emitResult{emit: emitted, total: time.Since(t0), flushErr: err}
}
