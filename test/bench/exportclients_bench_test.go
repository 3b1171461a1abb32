package bench

import (
	"context"
	"strconv"
	"testing"
)

// exportClientCounts are the numbers of concurrent kubelet clients of
// BenchmarkExportClients.
var exportClientCounts = []int{1, 4, 8}

// BenchmarkExportClients measures how many spans per second reach a
// collector from crio-trace with tracing on (stack c-on, its own process)
// while 1, 4 and 8 kubelet clients, each on its own connection, call
// Version as fast as they are answered. Each op is one call, so one
// server span. It reports the spans the receiver (in the benchmark's
// process, counting only) got per second, from the first call to the end of
// the server's final flush (received-spans/s), the calls per second the
// clients saw (calls/s), the share of spans that never arrived (lost-%)
// and what the server process spent per call.
func BenchmarkExportClients(b *testing.B) {
	s := stackByName(b, "c-on")
	for _, n := range exportClientCounts {
		b.Run("clients="+strconv.Itoa(n), func(b *testing.B) {
			ctx := quiet(b.Context())
			recv := startCountingReceiver(b, 0)
			st := s.startWith(b, recv.Addr())
			ks := make([]*kubelet, n)
			for i := range ks {
				ks[i] = st.connect(b, s.sampled)
			}
			flush(b, st) // the clients' connection checks are not measured
			before := recv.Spans()
			m := newMeter(st.proc)
			m.start(b)
			b.ResetTimer()
			calls, err := burst(ctx, ks, b.N)
			if err != nil {
				b.Fatal(err)
			}
			// A server span ends just after its answer is sent: a
			// second flush takes the ones that ended during the first.
			flush(b, st)
			flush(b, st)
			total := b.Elapsed()
			b.StopTimer()
			got := recv.Spans() - before
			m.stop(b)[0].report(b, "server", b.N)
			b.ReportMetric(float64(got)/total.Seconds(), "received-spans/s")
			b.ReportMetric(float64(b.N)/calls.Seconds(), "calls/s")
			b.ReportMetric(100*float64(int64(b.N)-got)/float64(b.N), "lost-%")
			b.ReportMetric(loadAvg(), "load-avg")
		})
	}
}

// flush makes st export every span it has finished, failing tb when it
// cannot within childTimeout.
func flush(tb testing.TB, st *stack) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), childTimeout)
	defer cancel()
	if err := st.flush(ctx); err != nil {
		tb.Fatalf("flushing %s: %v", st, err)
	}
}
