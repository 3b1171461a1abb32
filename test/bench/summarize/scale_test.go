package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestStartupAndChurnSections: the goals are marked against the medians
// (100 ms to serve, 30 MB idle), and the churn row shows the index left.
func TestStartupAndChurnSections(t *testing.T) {
	in := `BenchmarkStartup/tracing=off-2 	10	 60000000 ns/op	 60000000 serve-ns	 20000000 cpu-to-serve-ns	 18000000 rss-at-serve-B
BenchmarkStartup/tracing=on-2 	10	 130000000 ns/op	 130000000 serve-ns	 30000000 cpu-to-serve-ns	 18500000 rss-at-serve-B
BenchmarkIdle-2 	1	 5200000000 ns/op	 18000000 off-rss-B	 0 off-idle-cpu-ns/s	 31000000 on-rss-B	 200000 on-idle-cpu-ns/s
BenchmarkChurn-2 	100000	 1300000 ns/op	 30000000 rss-start-B	 31000000 rss-end-B	 2000000 heap-end-B	 0 index-sandboxes	 0 index-containers
`
	var out bytes.Buffer
	if err := run(options{}, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		"| off | 60.00ms ±0% ✓ | 20.00ms ±0% | 18.0 MB | 18.0 MB ✓ | 0.000% |",
		"| on | 130.00ms ±0% ✗ | 30.00ms ±0% | 18.5 MB | 31.0 MB ✗ | 0.020% |",
		"| 100000 | 1.30ms ±0% | 30.0 MB | 31.0 MB | 2.0 MB | 0, 0 |",
	} {
		if !strings.Contains(out.String(), row) {
			t.Errorf("the report lacks %q:\n%s", row, out.String())
		}
	}
}
