package bench

import (
	"testing"
)

// TestExportPipeline checks the instruments BenchmarkExport reads: spans
// that fit in the export queue all arrive at the counting receiver and
// nothing is counted as dropped; past the queue, on a machine too busy to
// export in time, every span either arrives or is counted as dropped. So a
// loss the benchmark reports is the pipeline's, not the harness's. (How many
// a paced run past the queue loses depends on the machine's load, so the
// test asserts the accounting, not a count.)
func TestExportPipeline(t *testing.T) {
	tests := []struct {
		name  string
		spans int
		rate  int
		// mayDrop: more spans than the queue holds, so a stalled
		// export may drop some; they must then be counted.
		mayDrop bool
	}{
		{name: "one span", spans: 1, rate: 0},
		{name: "a queue's worth, paced", spans: 2000, rate: 20_000},
		{name: "several batches, paced", spans: 3000, rate: 10_000, mayDrop: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := startCountingReceiver(t, 0)
			p := exportProvider(t, recv.Addr())
			res := emitSpans(t.Context(), p, tt.spans, tt.rate, func() {})
			if res.flushErr != nil {
				t.Fatalf("flush: %v", res.flushErr)
			}
			got, dropped := recv.Spans(), p.Dropped()
			if tt.mayDrop {
				if got+dropped != int64(tt.spans) || got == 0 {
					t.Errorf("receiver counted %d spans and the provider %d dropped, want them to add up to the %d ended, with some arriving", got, dropped, tt.spans)
				}
				t.Logf("%d of %d spans arrived, %d dropped and counted", got, tt.spans, dropped)
				return
			}
			if got != int64(tt.spans) {
				t.Errorf("receiver counted %d spans, want %d", got, tt.spans)
			}
			if dropped != 0 {
				t.Errorf("provider counted %d dropped spans, want 0", dropped)
			}
		})
	}
}
