package bench

import (
	"strings"
	"testing"
	"time"
)

// sideSets are the comparisons the performance targets are stated in, each
// a set of stacks measured together: b/a (tracing off against no tracing),
// c/a and (c−a)/(f−a) (a traced call against no tracing, and crio-trace's
// overhead against CRI-O's wiring's), d/b (collector down against off).
var sideSets = [][]string{
	{"b-off", "a-baseline"},
	{"c-on", "a-baseline", "f-criostyle"},
	{"d-down", "b-off"},
}

// BenchmarkPair measures a set of stacks in one loop, call for call: each
// iteration makes the same call (the five RPCs in turn) on every stack of
// the set, rotating who goes first, and times each call. A neighbour's
// burst of work then lands on all of them alike, which separate benchmarks
// minutes apart cannot promise on a shared machine. Each server runs in a
// process of its own; per stack letter X it reports the wall time per call
// (X-ns/op) and what the server process alone spent per call: CPU time
// (X-cpu-ns/op), heap allocations (X-allocs/op) and bytes (X-B/op). The OTLP
// receiver runs in the benchmark's process, not the server's. test/bench/summarize
// turns these into ratios, run by run.
func BenchmarkPair(b *testing.B) {
	for _, set := range sideSets {
		letters := make([]string, len(set))
		for i, name := range set {
			letters[i] = letter(name)
		}
		b.Run("set="+strings.Join(letters, ","), func(b *testing.B) {
			n := len(set)
			ks := make([]*kubelet, n)
			ops := make([][]*op, n)
			procs := make([]*child, n)
			ctx := quiet(b.Context())
			for i, name := range set {
				s := stackByName(b, name)
				st := s.start(b)
				procs[i] = st.proc
				ks[i] = st.connect(b, s.sampled)
				for _, r := range rpcs() {
					o, err := r.setup(ctx, ks[i])
					if err != nil {
						b.Fatalf("%s on %s: %v", r.name, name, err)
					}
					ops[i] = append(ops[i], o)
				}
			}
			spent := make([]time.Duration, n)
			m := newMeter(procs...)
			m.start(b)
			b.ResetTimer()
			for it := range b.N {
				for j := range n {
					side := (it + j) % n // rotate who goes first
					t0 := time.Now()
					if err := ops[side][it%len(ops[side])].do(ctx, ks[side], int64(it)); err != nil {
						b.Fatalf("call %d on %s: %v", it, set[side], err)
					}
					spent[side] += time.Since(t0)
				}
			}
			b.StopTimer()
			use := m.stop(b)
			for i := range set {
				b.ReportMetric(float64(spent[i])/float64(b.N), letters[i]+"-ns/op")
				use[i].report(b, letters[i], b.N)
			}
			b.ReportMetric(loadAvg(), "load-avg")
		})
	}
}
