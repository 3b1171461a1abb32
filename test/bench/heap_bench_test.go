package bench

import (
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkHeapCollectorDown checks that crio-trace, enabled with its
// collector down, holds no memory per RPC: nothing queues for a collector
// that is not there, because the instrumentation is removed. It calls a mix
// that leaves the runtime's own state unchanged (Version, ListContainers,
// PullImage of one image) b.N times and reports the live heap after a GC at
// a tenth of the calls and at the end (heap-start-B, heap-end-B) and their
// difference per call (heap-growth-B/op), all read in the server's own
// process. For the 10^5 calls of the
// performance target:
//
//	go test -run '^$' -bench HeapCollectorDown -benchtime 100000x ./test/bench/
func BenchmarkHeapCollectorDown(b *testing.B) {
	s := stackByName(b, "d-down")
	st := s.start(b)
	k := st.connect(b, s.sampled)
	ctx := quiet(b.Context())
	m, err := newMix(ctx, k, []rpc{
		{name: "Version", setup: setupVersion},
		{name: "ListContainers", setup: setupListContainers},
		{name: "PullImage", setup: setupPullImage},
	})
	if err != nil {
		b.Fatal(err)
	}
	mark := max(b.N/10, 1)
	var start, end uint64
	b.ResetTimer()
	for i := range b.N {
		if i == mark {
			b.StopTimer()
			start = serverHeap(b, st)
			b.StartTimer()
		}
		if err := m.do(ctx, k); err != nil {
			b.Fatalf("call %d: %v", i, err)
		}
	}
	b.StopTimer()
	end = serverHeap(b, st)
	if start == 0 {
		start = end
	}
	b.ReportMetric(float64(start), "heap-start-B")
	b.ReportMetric(float64(end), "heap-end-B")
	b.ReportMetric((float64(end)-float64(start))/float64(max(b.N-mark, 1)), "heap-growth-B/op")
	if got := st.state(b); got != "detached" {
		b.Fatalf("provider is %v, want detached: the collector is down", got)
	}
}

// serverHeap returns the live heap of st's server process after a full GC.
func serverHeap(b *testing.B, st *stack) uint64 {
	b.Helper()
	n, err := strconv.ParseUint(st.proc.must(b, "heap"), 10, 64)
	if err != nil {
		b.Fatalf("heap: %v", err)
	}
	return n
}

// liveHeap returns the bytes of live heap objects after a full GC.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
