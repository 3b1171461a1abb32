package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hopRounds is how many turns each path of BenchmarkHopThroughput gets: the
// paths take turns, so that a neighbour's burst of work on a shared machine
// lands on all of them alike.
const hopRounds = 4

// BenchmarkHopThroughput measures how many Version calls per second 8
// concurrent kubelet clients get through each path of BenchmarkHop (the
// runtime directly, the raw proxy, crio-trace forward off and on). b.N
// calls go through each path, in hopRounds turns per path, paths rotating.
// It reports P-calls/s per path and what the servers in the middle spent
// per call (P-cpu-ns/op, P-allocs/op, P-B/op).
func BenchmarkHopThroughput(b *testing.B) {
	ctx := quiet(b.Context())
	_, sides := startHop(b)
	clientsOf := make([][]*kubelet, len(sides))
	for i, s := range sides {
		clientsOf[i] = append(clientsOf[i], s.k)
		for range clients - 1 {
			clientsOf[i] = append(clientsOf[i], s.st.connect(b, true))
		}
	}
	var procs []*child
	for _, s := range sides[1:] {
		procs = append(procs, s.st.proc)
	}
	spent := make([]time.Duration, len(sides))
	m := newMeter(procs...)
	m.start(b)
	b.ResetTimer()
	for r := range hopRounds {
		n := b.N / hopRounds
		if r < b.N%hopRounds {
			n++
		}
		for j := range sides {
			i := (r + j) % len(sides)
			d, err := burst(ctx, clientsOf[i], n)
			if err != nil {
				b.Fatalf("through %s: %v", sides[i].path.name, err)
			}
			spent[i] += d
		}
	}
	b.StopTimer()
	use := m.stop(b)
	for i, s := range sides {
		b.ReportMetric(float64(b.N)/spent[i].Seconds(), s.path.name+"-calls/s")
		if i > 0 {
			use[i-1].report(b, s.path.name, b.N)
		}
	}
	b.ReportMetric(loadAvg(), "load-avg")
}

// burst makes n Version calls spread over the clients, all at once, and
// returns how long they took together.
func burst(ctx context.Context, ks []*kubelet, n int) (time.Duration, error) {
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		failure error
	)
	t0 := time.Now()
	for c, k := range ks {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if _, err := k.rt.Version(ctx, "v1"); err != nil {
					errOnce.Do(func() { failure = fmt.Errorf("client %d: %w", c, err) })
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(t0), failure
}
