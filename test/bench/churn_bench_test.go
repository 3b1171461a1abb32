package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// churnWorkers is how many pods BenchmarkChurn has alive at once: kubelet
// starts and tears down a few pods at a time.
const churnWorkers = 4

// BenchmarkChurn creates and removes b.N pods through crio-trace with
// tracing on (stack c-on, its own process): RunPodSandbox, CreateContainer,
// StopPodSandbox, RemovePodSandbox, churnWorkers pods at a time. Each op is
// one pod. It reports the server's resident set (rss-start-B after a tenth
// of the pods, rss-end-B at the end), its live heap after a GC at the end
// (heap-end-B), and what its attribute index holds at the end
// (index-sandboxes, index-containers: every pod was removed, so 0; the
// index is also bounded by criattrs.DefaultIndexLimit when removals are
// missed). For the 10^5 pods of the performance target:
//
//	go test -run '^$' -bench Churn -benchtime 100000x ./test/bench/
func BenchmarkChurn(b *testing.B) {
	s := stackByName(b, "c-on")
	st := s.start(b)
	ks := make([]*kubelet, churnWorkers)
	for i := range ks {
		ks[i] = st.connect(b, s.sampled)
	}
	ctx, cancel := context.WithCancel(quiet(b.Context()))
	defer cancel()
	if err := pull(ctx, ks[0], "churn-puller"); err != nil {
		b.Fatal(err)
	}
	mark := int64(max(b.N/10, 1))
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		marked   sync.Once
		rssStart int64
		failOnce sync.Once
		failure  error
	)
	b.ResetTimer()
	for _, k := range ks {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				if err := churnPod(ctx, k, i); err != nil {
					failOnce.Do(func() { failure = err; cancel() })
					return
				}
				if i == mark {
					marked.Do(func() {
						var err error
						if rssStart, err = procRSS(st.proc.pid); err != nil {
							failOnce.Do(func() { failure = fmt.Errorf("%s: %w", st.proc.name, err); cancel() })
						}
					})
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if failure != nil {
		b.Fatal(failure)
	}
	rssEnd := mustRSS(b, st.proc)
	sandboxes, containers := st.index(b)
	b.ReportMetric(float64(rssStart), "rss-start-B")
	b.ReportMetric(float64(rssEnd), "rss-end-B")
	b.ReportMetric(float64(serverHeap(b, st)), "heap-end-B")
	b.ReportMetric(float64(sandboxes), "index-sandboxes")
	b.ReportMetric(float64(containers), "index-containers")
	b.ReportMetric(loadAvg(), "load-avg")
	if sandboxes != 0 || containers != 0 {
		b.Errorf("after every pod was removed the index still holds %d sandboxes and %d containers", sandboxes, containers)
	}
}

// churnPod runs pod i with one container, then stops and removes it, as
// kubelet does for a short-lived pod.
func churnPod(ctx context.Context, k *kubelet, i int64) error {
	name := "churn-" + strconv.FormatInt(i, 10)
	pod := podConfig(name)
	id, err := k.rt.RunPodSandbox(ctx, pod, "")
	if err != nil {
		return fmt.Errorf("running pod %q: %w", name, err)
	}
	if _, err := k.rt.CreateContainer(ctx, id, containerConfig("app", "churn", benchImage), pod); err != nil {
		return fmt.Errorf("creating the container of pod %q: %w", name, err)
	}
	if err := k.rt.StopPodSandbox(ctx, id); err != nil {
		return fmt.Errorf("stopping pod %q: %w", name, err)
	}
	if err := k.rt.RemovePodSandbox(ctx, id); err != nil {
		return fmt.Errorf("removing pod %q: %w", name, err)
	}
	return nil
}

// mustRSS returns the resident set size of p in bytes.
func mustRSS(tb testing.TB, p *child) int64 {
	tb.Helper()
	n, err := procRSS(p.pid)
	if err != nil {
		tb.Fatalf("%s: %v", p.name, err)
	}
	return n
}
