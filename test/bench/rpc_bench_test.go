package bench

import "testing"

// BenchmarkRPC measures one call, end to end as kubelet sees it (its CRI
// client, the unix socket, the server, the embedded runtime and back),
// through every stack. Compare stacks within one RPC and one run:
//
//	go test -run '^$' -bench RPC -benchmem -count 6 ./test/bench/
//
// B/op, allocs/op and cpu-ns/op count the whole process during the loop:
// client, server, exporter and in-process receiver alike. cpu-ns/op is the
// figure to trust on a busy machine (see cputime_test.go).
func BenchmarkRPC(b *testing.B) {
	for _, r := range rpcs() {
		for _, s := range stacks() {
			b.Run("rpc="+r.name+"/stack="+s.name, func(b *testing.B) {
				st := s.start(b)
				k := st.connect(b, s.sampled)
				ctx := quiet(b.Context())
				o, err := r.setup(ctx, k)
				if err != nil {
					b.Fatalf("%s on %s: %v", r.name, s.name, err)
				}
				b.ReportAllocs()
				cpu := cpuClock()
				var i int64
				for ; b.Loop(); i++ {
					if o.ready != nil && !o.ready() {
						t0 := cpuClock()
						b.StopTimer()
						if err := o.prepare(ctx, k); err != nil {
							b.Fatalf("%s on %s: preparing call %d: %v", r.name, s.name, i, err)
						}
						b.StartTimer()
						cpu += cpuClock() - t0 // not the measured call's
					}
					if err := o.do(ctx, k, i); err != nil {
						b.Fatalf("%s on %s: call %d: %v", r.name, s.name, i, err)
					}
				}
				reportCPU(b, cpu, int(i))
			})
		}
	}
}
