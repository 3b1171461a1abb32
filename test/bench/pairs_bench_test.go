package bench

import (
	"testing"
	"time"
)

// pairs are the comparisons the performance targets are stated in.
var pairs = []struct{ num, den string }{
	{num: "b-off", den: "a-baseline"},
	{num: "c-on", den: "a-baseline"},
	{num: "c-on", den: "f-criostyle"},
	{num: "d-down", den: "b-off"},
}

// BenchmarkPair measures two stacks in one loop, call for call: each
// iteration makes the same call (the five RPCs in turn) on both, in
// alternating order, and times each call. A neighbour's burst of work then
// lands on both sides alike, which separate benchmarks minutes apart cannot
// promise on a shared machine. It reports the wall time per call of each
// side (num-ns/op, den-ns/op) and their ratio (ratio).
func BenchmarkPair(b *testing.B) {
	for _, p := range pairs {
		b.Run(p.num+"/vs="+p.den, func(b *testing.B) {
			sides := [2]stackSpec{stackByName(b, p.num), stackByName(b, p.den)}
			var ks [2]*kubelet
			var ops [2][]*op
			ctx := quiet(b.Context())
			for i, s := range sides {
				ks[i] = s.start(b).connect(b, s.sampled)
				for _, r := range rpcs() {
					o, err := r.setup(ctx, ks[i])
					if err != nil {
						b.Fatalf("%s on %s: %v", r.name, s.name, err)
					}
					ops[i] = append(ops[i], o)
				}
			}
			var spent [2]time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for n := range b.N {
				for j := range 2 {
					side := (n + j) % 2 // alternate who goes first
					t0 := time.Now()
					if err := ops[side][n%len(ops[side])].do(ctx, ks[side], int64(n)); err != nil {
						b.Fatalf("call %d on %s: %v", n, sides[side].name, err)
					}
					spent[side] += time.Since(t0)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(spent[0])/float64(b.N), "num-ns/op")
			b.ReportMetric(float64(spent[1])/float64(b.N), "den-ns/op")
			if spent[1] > 0 {
				b.ReportMetric(float64(spent[0])/float64(spent[1]), "ratio")
			}
		})
	}
}
