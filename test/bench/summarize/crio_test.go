package main

import (
	"bytes"
	"strings"
	"testing"
)

// crioSample is two runs of BenchmarkCrio's Version row: kit on costs
// 0.50 and 0.60 of CRI-O's own tracing in wall time, and front-on's CPU is
// crio-trace's plus the CRI-O's behind it.
const crioSample = `BenchmarkCrio/op=Version-2 	 500	 1 ns/op	 100000 crio-off-ns/op	 200000 crio-on-ns/op	 100000 kit-off-ns/op	 100000 kit-on-ns/op	 300000 front-on-ns/op	 50000 crio-off-cpu-ns/op	 90000 crio-on-cpu-ns/op	 40000 kit-off-cpu-ns/op	 45000 kit-on-cpu-ns/op	 30000 front-on-cpu-ns/op	 40000 front-on-crio-cpu-ns/op	 60 crio-off-rss-MB	 70 crio-on-rss-MB	 60 kit-off-rss-MB	 61 kit-on-rss-MB	 20 front-on-rss-MB	 60 front-on-crio-rss-MB	 3 load-avg
BenchmarkCrio/op=Version-2 	 500	 1 ns/op	 100000 crio-off-ns/op	 200000 crio-on-ns/op	 100000 kit-off-ns/op	 120000 kit-on-ns/op	 300000 front-on-ns/op	 50000 crio-off-cpu-ns/op	 90000 crio-on-cpu-ns/op	 40000 kit-off-cpu-ns/op	 45000 kit-on-cpu-ns/op	 30000 front-on-cpu-ns/op	 40000 front-on-crio-cpu-ns/op	 60 crio-off-rss-MB	 70 crio-on-rss-MB	 60 kit-off-rss-MB	 61 kit-on-rss-MB	 20 front-on-rss-MB	 60 front-on-crio-rss-MB	 3 load-avg
`

func TestCrioSection(t *testing.T) {
	res := make(results)
	if err := parse(strings.NewReader(crioSample), res); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := report(&out, res); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"## Real CRI-O, side by side (BenchmarkCrio)",
		// wall: kit on / CRI-O on run by run 0.50 and 0.60, median 0.55;
		// kit off / CRI-O off 1.00; CRI-O on / off 2.00; kit on / off 1.10.
		"| Version | 100.0µs ±0% | 200.0µs ±0% | 100.0µs ±0% | 110.0µs ±9% | 300.0µs ±0% | 0.55 ✓ (0.50–0.60) | 1.00 (1.00–1.00) | 2.00 (2.00–2.00) | 1.10 (1.00–1.20) |",
		// CPU: front-on is 30µs + 40µs.
		"| Version | 50.0µs ±0% | 90.0µs ±0% | 40.0µs ±0% | 45.0µs ±0% | 70.0µs ±0% | 0.50 ✓ (0.50–0.50) | 0.80 (0.80–0.80) | 1.80 (1.80–1.80) | 1.12 (1.12–1.12) |",
		// RSS: front-on is 20 + 60 MB.
		"| Version | 60.0 | 70.0 | 60.0 | 61.0 | 80.0 | 0.87 ✓ (0.87–0.87) |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q\nreport:\n%s", want, got)
		}
	}
}
