package bench

import "testing"

// BenchmarkRPC measures one call, end to end as kubelet sees it (its CRI
// client, the unix socket, the server, the embedded runtime and back),
// through every stack. Compare stacks within one RPC and one run:
//
//	go test -run '^$' -bench RPC -count 6 ./test/bench/
//
// ns/op is wall time per call; server-cpu-ns/op, server-allocs/op and
// server-B/op are what the server's own process spent per call (the client
// and the OTLP receiver run in the benchmark's process). The server's work
// to prepare a call (a new pod every few CreateContainer) is left out.
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
				m := newMeter(st.proc)
				m.start(b)
				b.ResetTimer()
				var i int64
				for ; b.Loop(); i++ {
					if o.ready != nil && !o.ready() {
						b.StopTimer()
						m.exclude(b, func() {
							if err := o.prepare(ctx, k); err != nil {
								b.Fatalf("%s on %s: preparing call %d: %v", r.name, s.name, i, err)
							}
						})
						b.StartTimer()
					}
					if err := o.do(ctx, k, i); err != nil {
						b.Fatalf("%s on %s: call %d: %v", r.name, s.name, i, err)
					}
				}
				b.StopTimer()
				m.stop(b)[0].report(b, "server", int(i))
			})
		}
	}
}
