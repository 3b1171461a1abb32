package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// sample is go test output as the suite prints it, two runs, with the
// noise lines go test adds around results.
const sample = `goos: linux
goarch: amd64
pkg: github.com/crio-trace/crio-trace/test/bench
cpu: AMD EPYC
BenchmarkRPC/rpc=Version/stack=a-baseline-2   	   10000	    100000 ns/op	    80000 server-cpu-ns/op	   15600 server-B/op	     221 server-allocs/op
BenchmarkRPC/rpc=Version/stack=a-baseline-2   	   10000	    100000 ns/op	    80000 server-cpu-ns/op	   15600 server-B/op	     221 server-allocs/op
BenchmarkRPC/rpc=Version/stack=b-off-2        	   10000	    101000 ns/op	    80400 server-cpu-ns/op	   15600 server-B/op	     221 server-allocs/op
BenchmarkRPC/rpc=Version/stack=b-off-2        	   10000	    101000 ns/op	    80400 server-cpu-ns/op	   15600 server-B/op	     221 server-allocs/op
BenchmarkRPC/rpc=Version/stack=c-on-2         	   10000	    120000 ns/op	    96000 server-cpu-ns/op	   25000 server-B/op	     300 server-allocs/op
BenchmarkRPC/rpc=Version/stack=c-on-2         	   10000	    140000 ns/op	    96000 server-cpu-ns/op	   25000 server-B/op	     300 server-allocs/op
BenchmarkRPC/rpc=Version/stack=f-criostyle-2  	   10000	    150000 ns/op	   100000 server-cpu-ns/op	   30000 server-B/op	     330 server-allocs/op
BenchmarkLatency/stack=b-off-2                	    5000	    100000 ns/op	   200000 p50-ns	   1000000 p99-ns
BenchmarkLatency/stack=d-down-2               	    5000	    100000 ns/op	   200000 p50-ns	   1100000 p99-ns
BenchmarkPair/set=b,a-2           	    2000	    253740 ns/op	    100 a-ns/op	  50 a-cpu-ns/op	  80 a-allocs/op	  5000 a-B/op	  101 b-ns/op	  51 b-cpu-ns/op	  80 b-allocs/op	  5000 b-B/op	  3.5 load-avg
BenchmarkPair/set=b,a-2           	    2000	    253740 ns/op	    100 a-ns/op	  50 a-cpu-ns/op	  80 a-allocs/op	  5000 a-B/op	  100 b-ns/op	  50 b-cpu-ns/op	  80 b-allocs/op	  5000 b-B/op	  4.5 load-avg
BenchmarkPair/set=c,a,f-2           	    2000	    253740 ns/op	    100 a-ns/op	  50 a-cpu-ns/op	  80 a-allocs/op	  5000 a-B/op	  110 c-ns/op	  60 c-cpu-ns/op	  130 c-allocs/op	  9000 c-B/op	  130 f-ns/op	  70 f-cpu-ns/op	  150 f-allocs/op	  9900 f-B/op	  4 load-avg
BenchmarkHeapCollectorDown-2                  	  100000	    100000 ns/op	   1000000 heap-start-B	   1000100 heap-end-B	         0.0011 heap-growth-B/op
--- BENCH: BenchmarkForward
    forward_bench_test.go:1: !!! SKIPPING BenchmarkForward: not root
PASS
ok  	github.com/crio-trace/crio-trace/test/bench	12.3s
`

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		ok     bool
		bench  string
		unit   string
		values float64
	}{
		{name: "result with procs suffix", line: "BenchmarkRPC/rpc=Version/stack=a-baseline-2 \t 10 \t 5 ns/op", ok: true, bench: "RPC/rpc=Version/stack=a-baseline", unit: "ns/op", values: 5},
		{name: "custom unit", line: "BenchmarkX-8 1 12.5 p99-ns", ok: true, bench: "X", unit: "p99-ns", values: 12.5},
		{name: "iterations kept", line: "BenchmarkX-8 100000 1 ns/op", ok: true, bench: "X", unit: unitIterations, values: 100000},
		{name: "header line", line: "goos: linux", ok: false},
		{name: "skip line", line: "--- BENCH: BenchmarkForward", ok: false},
		{name: "odd field count", line: "BenchmarkX-8 1 12.5", ok: false},
		{name: "value not a number", line: "BenchmarkX-8 1 fast ns/op", ok: false},
		{name: "iterations not a number", line: "BenchmarkX-8 many 1 ns/op", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, m, ok := parseLine(tt.line)
			if ok != tt.ok {
				t.Fatalf("parseLine(%q) ok = %v, want %v", tt.line, ok, tt.ok)
			}
			if !ok {
				return
			}
			if name != tt.bench || m[tt.unit] != tt.values {
				t.Errorf("parseLine(%q) = %q %v, want %q with %s = %v", tt.line, name, m, tt.bench, tt.unit, tt.values)
			}
		})
	}
}

func TestStats(t *testing.T) {
	tests := []struct {
		name       string
		xs         []float64
		med, sprd  float64
		wantNaNMed bool
	}{
		{name: "empty", xs: nil, wantNaNMed: true},
		{name: "one sample has no spread", xs: []float64{7}, med: 7, sprd: 0},
		{name: "odd count", xs: []float64{3, 1, 2}, med: 2, sprd: 50},
		{name: "even count averages the middle", xs: []float64{1, 2, 3, 4}, med: 2.5, sprd: 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := median(tt.xs)
			if tt.wantNaNMed {
				if !math.IsNaN(m) {
					t.Fatalf("median(%v) = %v, want NaN", tt.xs, m)
				}
				return
			}
			if m != tt.med {
				t.Errorf("median(%v) = %v, want %v", tt.xs, m, tt.med)
			}
			if s := spread(tt.xs); math.Abs(s-tt.sprd) > 1e-9 {
				t.Errorf("spread(%v) = %v, want %v", tt.xs, s, tt.sprd)
			}
		})
	}
}

// TestReport runs the whole tool on sample and checks the figures a reader
// takes from it: medians, ratios with their target marks, alloc
// differences, the p99 ratio and the heap line.
func TestReport(t *testing.T) {
	var out bytes.Buffer
	if err := run(options{}, strings.NewReader(sample), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	tests := []struct {
		name string
		want string
	}{
		{name: "median and spread of a cell", want: "| Version | c-on | 130.0µs ±8% | 96.0µs ±0% | 25000 | 300 |"},
		{name: "ratios on CPU with wall in brackets and marks", want: "| Version | 1.00 (1.01) ✓ | 1.20 (1.30) ✗ | 0.96 (0.87) ✗ | – (–) |"},
		{name: "alloc differences", want: "| +0 | +79 | +109 |"},
		{name: "p99 ratio against its target", want: "| d/b | 1.10 ✗ | 1.00 | – |"},
		{name: "heap line", want: "| 100000 | 1000000 B | 1000100 B | 0.00 B |"},
		{name: "noise line", want: "Noise: "},
		{name: "interleaved pair with its range over runs", want: "| b/a | 1.01 ✓ (1.00–1.02) | 1.00 ✓ (1.00–1.01) | 80 vs 80 | 5000 vs 5000 |"},
		{name: "overhead against CRI-O's, above the baseline", want: "| (c−a)/(f−a) | 0.50 ✓ | 0.33 | +50 vs +70 | +4000 vs +4900 |"},
		{name: "c/a on server CPU", want: "| c/a | 1.20 ✗ | 1.10 | 130 vs 80 |"},
		{name: "stack row of a set", want: "| c,a,f | f-criostyle | 130ns ±0% | 70ns ±0% | 150 | 9900 |"},
		{name: "load average", want: "Load average (1 min) during the run: median 4.0, from 3.5 to 4.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(got, tt.want) {
				t.Errorf("report lacks %q; it is:\n%s", tt.want, got)
			}
		})
	}
	if strings.Contains(got, "Forward mode") {
		t.Errorf("report has a forward section without forward results:\n%s", got)
	}
}

func TestRunWithoutResults(t *testing.T) {
	var out bytes.Buffer
	err := run(options{}, strings.NewReader("PASS\nok  \tpkg\t0.1s\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "no benchmark results") {
		t.Fatalf("run on output without results: err = %v, want one saying there are none", err)
	}
}
