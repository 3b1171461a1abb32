package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scaleSizes are the node sizes of BenchmarkScale: how many pods, each
// with one container, the runtime holds while the lists are measured.
var scaleSizes = []int{10, 100, 1000}

// scaleStacks are the stacks BenchmarkScale compares: crio-trace with
// tracing off and on (sampled, exporting).
var scaleStacks = []string{"b-off", "c-on"}

// listRPC is one of the list calls BenchmarkScale measures; it returns how
// many items the answer held.
type listRPC struct {
	name string
	call func(ctx context.Context, k *kubelet) (int, error)
}

var listRPCs = []listRPC{
	{name: "ListContainers", call: func(ctx context.Context, k *kubelet) (int, error) {
		got, err := k.rt.ListContainers(ctx, nil)
		return len(got), err
	}},
	{name: "ListPodSandbox", call: func(ctx context.Context, k *kubelet) (int, error) {
		got, err := k.rt.ListPodSandbox(ctx, nil)
		return len(got), err
	}},
}

// BenchmarkScale shows how the cost of kubelet's list calls grows with the
// node: ListContainers and ListPodSandbox (no filter, as kubelet's PLEG and
// its housekeeping call them) with 10, 100 and 1,000 pods of one container
// each, on crio-trace with tracing off (b-off) and on (c-on), each server
// in its own process holding the same pods. As in BenchmarkPair, one loop
// makes each call on both stacks, rotating who goes first, so a neighbour's
// burst lands on both alike. Per stack letter X it reports the wall time
// per call (X-ns/op) and what the server spent per call (X-cpu-ns/op,
// X-allocs/op, X-B/op, the export of the loop's spans included: both
// servers are flushed before the meter stops), and the size of the
// attribute index (index-containers), which holds every pod and container
// created. What tracing adds per call (c minus b) must not grow with the
// node: the span's attributes come from the request, not from the
// containers listed, and the index is read by id.
func BenchmarkScale(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run(fmt.Sprintf("containers=%d", n), func(b *testing.B) {
			ctx := quiet(b.Context())
			sts := make([]*stack, len(scaleStacks))
			ks := make([]*kubelet, len(scaleStacks))
			procs := make([]*child, len(scaleStacks))
			for i, name := range scaleStacks {
				s := stackByName(b, name)
				sts[i] = s.start(b)
				procs[i] = sts[i].proc
				ks[i] = sts[i].connect(b, s.sampled)
				if err := populate(ctx, ks[i], n); err != nil {
					b.Fatalf("creating %d pods on %s: %v", n, name, err)
				}
				if sb, c := sts[i].index(b); sb != n || c != n {
					b.Fatalf("%s: index holds %d sandboxes and %d containers after creating %d of each", name, sb, c, n)
				}
			}
			for _, l := range listRPCs {
				b.Run("rpc="+l.name, func(b *testing.B) {
					for _, st := range sts {
						flush(b, st) // the spans of the set-up are not measured
					}
					spent := make([]time.Duration, len(sts))
					m := newMeter(procs...)
					m.start(b)
					b.ResetTimer()
					for it := range b.N {
						for j := range sts {
							side := (it + j) % len(sts)
							t0 := time.Now()
							got, err := l.call(ctx, ks[side])
							if err != nil {
								b.Fatalf("%s on %s: %v", l.name, scaleStacks[side], err)
							}
							spent[side] += time.Since(t0)
							if got != n {
								b.Fatalf("%s on %s returned %d items, want %d", l.name, scaleStacks[side], got, n)
							}
						}
					}
					b.StopTimer()
					for _, st := range sts {
						flush(b, st)
					}
					use := m.stop(b)
					for i, name := range scaleStacks {
						b.ReportMetric(float64(spent[i])/float64(b.N), letter(name)+"-ns/op")
						use[i].report(b, letter(name), b.N)
					}
					_, c := sts[len(sts)-1].index(b)
					b.ReportMetric(float64(c), "index-containers")
					b.ReportMetric(loadAvg(), "load-avg")
				})
			}
		})
	}
}

// populateWorkers is how many calls populate has in flight: enough to keep
// a two-core machine's server busy, so 1,000 pods take about a second.
const populateWorkers = 4

// populate runs n pods with one container each through k, as kubelet
// would (the image pulled first).
func populate(ctx context.Context, k *kubelet, n int) error {
	if err := pull(ctx, k, "scale-puller"); err != nil {
		return err
	}
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		failure error
	)
	for range populateWorkers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				name := "scale-" + strconv.FormatInt(i, 10)
				pod := podConfig(name)
				id, err := k.rt.RunPodSandbox(ctx, pod, "")
				if err == nil {
					_, err = k.rt.CreateContainer(ctx, id, containerConfig("app", "scale", benchImage), pod)
				}
				if err != nil {
					errOnce.Do(func() { failure = fmt.Errorf("pod %q: %w", name, err) })
					return
				}
			}
		})
	}
	wg.Wait()
	return failure
}

// index returns the size of the server's attribute index: sandboxes and
// containers.
func (s *stack) index(tb testing.TB) (sandboxes, containers int) {
	tb.Helper()
	f := strings.Fields(s.proc.must(tb, "index"))
	if len(f) != 2 {
		tb.Fatalf("%s: index answered %q", s.proc.name, f)
	}
	sb, err1 := strconv.Atoi(f[0])
	c, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		tb.Fatalf("%s: index answered %q", s.proc.name, f)
	}
	return sb, c
}
