package bench

import (
	"context"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// slowExport is how long the slow collector takes per export: with the
// default batch of 512 spans it accepts at most ~5,000 spans/s, less than
// 8 kubelet clients calling Version make.
const slowExport = 100 * time.Millisecond

// BenchmarkOverload shows what happens past the export path's capacity:
// crio-trace enabled and sampled, 8 clients calling Version (one span per
// call), exporting to a collector that keeps up and to one that cannot.
// Compare p50-ns and p99-ns between the two: the batch processor's queue
// fills and drops instead of blocking, so RPC latency must not move. It also
// reports spans lost (lost-%) and what tracing.Provider.Dropped counted
// (kit-dropped).
func BenchmarkOverload(b *testing.B) {
	cases := []struct {
		name  string
		delay time.Duration
	}{
		{name: "collector=fast", delay: 0},
		{name: "collector=slow", delay: slowExport},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			recv := startCountingReceiver(b, tc.delay)
			st := stackByName(b, "c-on").startWith(b, recv.Addr())
			var before int64
			calls := runConcurrent(b, st, true, []rpc{{name: "Version", setup: setupVersion}}, func() {
				// The clients' start-up calls (Version, ImageFsInfo each)
				// leave spans too, the last ones maybe still ending: count
				// from when all of them are in.
				before = awaitSpans(b, st, recv, 2*clients)
			})
			flushWithin(b, st, 30*time.Second)
			got := recv.Spans() - before
			b.ReportMetric(100*float64(int64(calls)-got)/float64(max(calls, 1)), "lost-%")
			b.ReportMetric(float64(st.dropped(b)), "kit-dropped")
		})
	}
}

// awaitSpans flushes st until recv has counted at least want spans, and
// returns the count. It fails tb after 30s.
func awaitSpans(tb testing.TB, st *stack, recv *otlpreceiver.Counter, want int64) int64 {
	tb.Helper()
	var n int64
	err := testutil.Poll(30*time.Second, 10*time.Millisecond, func() (bool, error) {
		flushWithin(tb, st, 30*time.Second)
		n = recv.Spans()
		return n >= want, nil
	})
	if err != nil {
		tb.Fatalf("the receiver counted %d spans after 30s, want %d", n, want)
	}
	return n
}

// flushWithin flushes st's pipeline, failing tb if it takes longer than d.
func flushWithin(tb testing.TB, st *stack, d time.Duration) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(tb.Context()), d)
	defer cancel()
	if err := st.flush(ctx); err != nil {
		tb.Fatalf("flushing spans: %v", err)
	}
}
