package tracing

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// batchRecorder is an exporter that records the size of each batch it is
// handed and, while hold is set, blocks each export until release.
type batchRecorder struct {
	mu       sync.Mutex
	sizes    []int
	shutdown bool
	hold     chan struct{} // nil: export at once
}

func (r *batchRecorder) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if r.hold != nil {
		select {
		case <-r.hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sizes = append(r.sizes, len(spans))
	return nil
}

func (r *batchRecorder) Shutdown(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shutdown = true
	return nil
}

// batches returns the sizes of the batches exported so far.
func (r *batchRecorder) batches() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sizes)
}

// startBatcher returns a tracer provider whose spans go through a batcher
// with the given queue and batch size and interval into r.
func startBatcher(t *testing.T, r *batchRecorder, queue, batch int, interval time.Duration) (*sdktrace.TracerProvider, *batcher, *atomic.Int64) {
	t.Helper()
	c := DefaultConfig()
	c.ExportQueueSize, c.ExportBatchSize = queue, batch
	c.ExportInterval, c.ExportTimeout = Duration(interval), Duration(5*time.Second)
	var dropped atomic.Int64
	b := newBatcher(r, c, &dropped)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b))
	t.Cleanup(func() { _ = tp.Shutdown(context.WithoutCancel(t.Context())) })
	return tp, b, &dropped
}

// endSpans starts and ends n sampled spans on tp.
func endSpans(tp *sdktrace.TracerProvider, n int) {
	for range n {
		_, s := tp.Tracer("t").Start(context.Background(), "s")
		s.End()
	}
}

func TestBatcherCountsWhatItDrops(t *testing.T) {
	r := &batchRecorder{hold: make(chan struct{})}
	tp, b, dropped := startBatcher(t, r, 2, 2, time.Minute)
	endSpans(tp, 5) // two fill the queue and go to the held exporter; three find no room
	if got := dropped.Load(); got != 3 {
		t.Fatalf("dropped %d spans, want 3", got)
	}
	close(r.hold) // the exporter takes the batch: room again
	eventually(t, "the first batch exported", func() bool { return slices.Equal(r.batches(), []int{2}) })
	eventually(t, "the exporter's batch leaving the queue", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.inflight == 0
	})
	endSpans(tp, 1)
	if err := b.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := r.batches(); !slices.Equal(got, []int{2, 1}) || dropped.Load() != 3 {
		t.Fatalf("after room came back: batches %v, dropped %d; want [2 1] and 3", got, dropped.Load())
	}
}

// A full batch leaves at once; the rest waits for the interval or a flush.
func TestBatcherExportsFullBatches(t *testing.T) {
	r := &batchRecorder{}
	tp, b, dropped := startBatcher(t, r, 100, 3, time.Minute)
	endSpans(tp, 7)
	eventually(t, "two full batches", func() bool { return slices.Equal(r.batches(), []int{3, 3}) })
	if err := b.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := r.batches(); !slices.Equal(got, []int{3, 3, 1}) || dropped.Load() != 0 {
		t.Fatalf("batches %v, dropped %d; want [3 3 1] and 0", got, dropped.Load())
	}
}

func TestBatcherExportsOnInterval(t *testing.T) {
	r := &batchRecorder{}
	tp, _, _ := startBatcher(t, r, 100, 50, 20*time.Millisecond)
	endSpans(tp, 2)
	eventually(t, "the partial batch exported by the timer", func() bool { return slices.Equal(r.batches(), []int{2}) })
}

// Unsampled spans are not exported and not counted as dropped.
func TestBatcherSkipsUnsampled(t *testing.T) {
	r := &batchRecorder{}
	c := DefaultConfig()
	var dropped atomic.Int64
	b := newBatcher(r, c, &dropped)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b), sdktrace.WithSampler(sdktrace.NeverSample()))
	endSpans(tp, 3)
	if err := tp.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := r.batches(); len(got) != 0 || dropped.Load() != 0 {
		t.Fatalf("batches %v, dropped %d; want none", got, dropped.Load())
	}
}

// Shutdown exports what waits, shuts the exporter down, and ignores spans
// ended afterwards; later calls do nothing.
func TestBatcherShutdown(t *testing.T) {
	r := &batchRecorder{}
	tp, b, dropped := startBatcher(t, r, 100, 50, time.Minute)
	endSpans(tp, 4)
	if err := b.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	shut := r.shutdown
	r.mu.Unlock()
	if got := r.batches(); !slices.Equal(got, []int{4}) || !shut {
		t.Fatalf("after Shutdown: batches %v, exporter shut down %t; want [4] and true", got, shut)
	}
	endSpans(tp, 2)
	if err := b.ForceFlush(t.Context()); err != nil {
		t.Fatalf("ForceFlush after Shutdown: %v", err)
	}
	if err := b.Shutdown(t.Context()); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	if got := r.batches(); !slices.Equal(got, []int{4}) || dropped.Load() != 0 {
		t.Fatalf("spans ended after Shutdown: batches %v, dropped %d; want [4] and 0", got, dropped.Load())
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

// BenchmarkSpanEnd starts and ends sampled spans one at a time, as RPCs
// end them, into the SDK's batch span processor and into the kit's
// batcher, both with the kit's default queue, batch size and interval and
// an exporter that does nothing: the cost of queueing a span, and of the
// goroutine hand-off behind it (which the SDK's processor pays per span).
// ns/op is wall time, cpu-ns/op the process's CPU time (all threads). With
// a gap between spans, as between a node's RPCs, the SDK's goroutine falls
// asleep after each span and has to be woken for the next.
func BenchmarkSpanEnd(b *testing.B) {
	c := DefaultConfig()
	cases := []struct {
		name string
		proc func(exp sdktrace.SpanExporter) sdktrace.SpanProcessor
	}{
		{name: "sdk-batch-span-processor", proc: func(exp sdktrace.SpanExporter) sdktrace.SpanProcessor {
			return sdktrace.NewBatchSpanProcessor(exp,
				sdktrace.WithMaxQueueSize(c.ExportQueueSize),
				sdktrace.WithMaxExportBatchSize(c.ExportBatchSize),
				sdktrace.WithBatchTimeout(c.ExportInterval.std()))
		}},
		{name: "kit-batcher", proc: func(exp sdktrace.SpanExporter) sdktrace.SpanProcessor {
			var dropped atomic.Int64
			return newBatcher(exp, c, &dropped)
		}},
	}
	for _, gap := range []time.Duration{0, 100 * time.Microsecond} {
		for _, tc := range cases {
			b.Run("gap="+gap.String()+"/"+tc.name, func(b *testing.B) { benchSpanEnd(b, tc.proc, gap) })
		}
	}
}

// benchSpanEnd ends b.N spans into the processor proc builds, gap apart.
func benchSpanEnd(b *testing.B, proc func(sdktrace.SpanExporter) sdktrace.SpanProcessor, gap time.Duration) {
	r := &batchRecorder{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(proc(r)))
	tr := tp.Tracer("bench")
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := processCPU(b)
	b.ResetTimer()
	for range b.N {
		_, s := tr.Start(ctx, "s")
		s.End()
		if gap > 0 {
			time.Sleep(gap)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
	if err := tp.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// processCPU returns the CPU time the process has used, all threads.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
