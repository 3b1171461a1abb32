package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
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
// each, tracing off (b-off) and on (c-on), the server in its own process.
// Besides ns/op it reports what the server spent per call
// (server-cpu-ns/op, server-allocs/op, server-B/op) and the size of its
// attribute index (index-sandboxes, index-containers), which holds every
// pod and container the benchmark created. What tracing adds per call
// (c-on minus b-off) must not grow with the node: the span's attributes come
// from the request, not from the containers listed, and the index is read
// by id.
func BenchmarkScale(b *testing.B) {
	for _, n := range scaleSizes {
		for _, name := range scaleStacks {
			b.Run(fmt.Sprintf("containers=%d/stack=%s", n, name), func(b *testing.B) {
				s := stackByName(b, name)
				st := s.start(b)
				k := st.connect(b, s.sampled)
				ctx := quiet(b.Context())
				if err := populate(ctx, k, n); err != nil {
					b.Fatalf("creating %d pods on %s: %v", n, name, err)
				}
				sandboxes, containers := st.index(b)
				if sandboxes != n || containers != n {
					b.Fatalf("%s: index holds %d sandboxes and %d containers after creating %d of each", name, sandboxes, containers, n)
				}
				for _, l := range listRPCs {
					b.Run("rpc="+l.name, func(b *testing.B) {
						m := newMeter(st.proc)
						m.start(b)
						b.ResetTimer()
						for b.Loop() {
							got, err := l.call(ctx, k)
							if err != nil {
								b.Fatalf("%s on %s: %v", l.name, name, err)
							}
							if got != n {
								b.Fatalf("%s on %s returned %d items, want %d", l.name, name, got, n)
							}
						}
						b.StopTimer()
						m.stop(b)[0].report(b, "server", b.N)
						b.ReportMetric(float64(sandboxes), "index-sandboxes")
						b.ReportMetric(float64(containers), "index-containers")
					})
				}
			})
		}
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
