package bench

import (
	"testing"
)

// TestExportPipeline checks the instruments BenchmarkExport reads: spans
// ended below the pipeline's capacity all arrive at the counting receiver
// and nothing is counted as dropped, so a loss the benchmark reports is the
// pipeline's, not the harness's.
func TestExportPipeline(t *testing.T) {
	tests := []struct {
		name  string
		spans int
		rate  int
	}{
		{name: "one span", spans: 1, rate: 0},
		{name: "a queue's worth, paced", spans: 2000, rate: 20_000},
		{name: "several batches, paced", spans: 3000, rate: 10_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := startCountingReceiver(t, 0)
			p := exportProvider(t, recv.addr)
			res := emitSpans(t.Context(), p, tt.spans, tt.rate, func() {})
			if res.flushErr != nil {
				t.Fatalf("flush: %v", res.flushErr)
			}
			if got := recv.spans.Load(); got != int64(tt.spans) {
				t.Errorf("receiver counted %d spans, want %d", got, tt.spans)
			}
			if got := p.Dropped(); got != 0 {
				t.Errorf("provider counted %d dropped spans, want 0", got)
			}
		})
	}
}
