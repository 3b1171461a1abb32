package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clients is how many kubelet clients call at once in the latency
// benchmarks, each on its own connection.
const clients = 8

// BenchmarkLatency runs the five-call mix from 8 concurrent clients through
// every stack and reports the latency percentiles of single calls
// (p50-ns, p99-ns) besides ns/op (wall time per call, all clients
// together) and what the server process spent per call (server-cpu-ns/op,
// server-allocs/op, server-B/op). The target d/b ≤ 1.05 is read at p99 here.
func BenchmarkLatency(b *testing.B) {
	for _, s := range stacks() {
		b.Run("stack="+s.name, func(b *testing.B) {
			st := s.start(b)
			runConcurrent(b, st, s.sampled, rpcs(), nil)
		})
	}
}

// runConcurrent connects the clients to st, prepares set on it and splits
// b.N calls of the mix among the clients. It reports p50-ns, p99-ns and
// the server's usage per call, and returns the number of calls made. onStart, if set, runs
// right before the first call.
func runConcurrent(b *testing.B, st *stack, sampled bool, set []rpc, onStart func()) int {
	ks := make([]*kubelet, clients)
	for i := range ks {
		ks[i] = st.connect(b, sampled)
	}
	ctx := quiet(b.Context())
	m, err := newMix(ctx, ks[0], set)
	if err != nil {
		b.Fatal(err)
	}
	lat := make([][]time.Duration, clients)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		failOnce sync.Once
		failure  error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if onStart != nil {
		onStart()
	}
	use := newMeter(st.proc)
	use.start(b)
	b.ResetTimer()
	for c := range clients {
		wg.Go(func() {
			own := make([]time.Duration, 0, b.N/clients+1)
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := m.do(ctx, ks[c]); err != nil {
					failOnce.Do(func() { failure = fmt.Errorf("client %d: %w", c, err); cancel() })
					break
				}
				own = append(own, time.Since(t0))
			}
			lat[c] = own
		})
	}
	wg.Wait()
	b.StopTimer()
	if failure != nil {
		b.Fatal(failure)
	}
	use.stop(b)[0].report(b, "server", b.N)
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(percentile(all, 50)), "p50-ns")
	b.ReportMetric(float64(percentile(all, 99)), "p99-ns")
	return len(all)
}

// percentile returns the p-th percentile of sorted (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}
