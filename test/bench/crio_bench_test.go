package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/test/harness"
)

// crioOp is one measured operation of BenchmarkCrio. do makes it on side s
// and returns what to undo outside the timed part (nil: nothing); undo
// reports how long it took.
type crioOp struct {
	name string
	do   func(ctx context.Context, cb *crioBench, s *crioSide) (undo func() (time.Duration, error), err error)
}

// crioOps are the rows of the issue: Version and ListContainers latency,
// and a pod start (RunPodSandbox, CreateContainer, StartContainer) whose
// stop and removal are timed apart.
var crioOps = []crioOp{
	{name: "Version", do: func(ctx context.Context, _ *crioBench, s *crioSide) (func() (time.Duration, error), error) {
		_, err := s.k.rt.Version(ctx, "v1")
		return nil, err
	}},
	{name: "ListContainers", do: func(ctx context.Context, _ *crioBench, s *crioSide) (func() (time.Duration, error), error) {
		got, err := s.k.rt.ListContainers(ctx, nil)
		if err == nil && len(got) != crioListed {
			err = fmt.Errorf("ListContainers returned %d containers, want the %d listed ones", len(got), crioListed)
		}
		return nil, err
	}},
	{name: "PodStart", do: func(ctx context.Context, cb *crioBench, s *crioSide) (func() (time.Duration, error), error) {
		_, undo, err := cb.podStart(ctx, s)
		return undo, err
	}},
}

// BenchmarkCrio measures real CRI-O v1.34.0 side by side, in one loop,
// call for call (rotating who goes first): stock CRI-O with tracing off and
// with its own tracing on, CRI-O + kit (crio-kit, from hack/crio-port.sh)
// with tracing off and on, and crio-trace with tracing on in front of a
// stock CRI-O with tracing off (see crioSides). The client is kubelet's
// (k8s.io/cri-client) with a sampled parent. Sides with tracing on export
// over OTLP/gRPC to receivers in the benchmark's process, which only count
// (and keep the spans of the traces checkCrioSpans watches): the CPU time
// reported is read off each daemon's own /proc/PID, so decoding the export
// never lands in it.
//
// Per side S it reports the wall time per call (S-ns/op), the CPU time the
// daemon spent per call (S-cpu-ns/op; S-netcpu-ns/op without what it
// spends idle, S-idle-cpu-ms/s, watched for 2 s after the loop) and its
// RSS after the loop
// (S-rss-MB); for front-on, crio-trace's own, and the CRI-O behind it as
// front-on-crio-cpu-ns/op and front-on-crio-rss-MB. A pod start also
// reports the wall time of its stop and removal (S-teardown-ns/op), which
// is kept out of the other figures. test/bench/summarize turns them into
// ratios, run by run.
//
// It needs root, CRI-O (hack/install-crio.sh), crio-kit
// (hack/crio-port.sh) and the tools of hack/install-e2e-deps.sh. It skips,
// loudly, with CRIO_TRACE_E2E=skip or when not root; as root it fails
// naming whatever is missing.
func BenchmarkCrio(b *testing.B) {
	requireCrio(b)
	cb := startCrioSides(b, crioSides...)
	for _, op := range crioOps {
		b.Run("op="+op.name, func(b *testing.B) { cb.loop(b, op) })
	}
}

// loop times op on every side, b.N times each.
func (cb *crioBench) loop(b *testing.B, op crioOp) {
	ctx := quiet(b.Context())
	var procs []*child
	for _, s := range cb.sides {
		procs = append(procs, s.procs...)
	}
	n := len(cb.sides)
	spent := make([]time.Duration, n)
	teardown := make([]time.Duration, n)
	m := newMeter(procs...)
	m.start(b)
	start, excluded := time.Now(), time.Duration(0)
	b.ResetTimer()
	for i := range b.N {
		for j := range n {
			side := (i + j) % n // rotate who goes first
			s := cb.sides[side]
			t0 := time.Now()
			undo, err := op.do(ctx, cb, s)
			spent[side] += time.Since(t0)
			if undo != nil {
				b.StopTimer()
				t1 := time.Now()
				m.exclude(b, func() {
					d, uerr := undo()
					teardown[side] += d
					if uerr != nil && err == nil {
						err = fmt.Errorf("undoing: %w", uerr)
					}
				})
				excluded += time.Since(t1)
				b.StartTimer()
			}
			if err != nil {
				b.Fatalf("%s on %s, call %d: %v", op.name, s.name, i, err)
			}
		}
	}
	b.StopTimer()
	use := m.stop(b)
	metered := time.Since(start) - excluded
	idle := idleCPU(b, procs, crioIdleWindow)
	p := 0
	for i, s := range cb.sides {
		b.ReportMetric(float64(spent[i])/float64(b.N), s.name+"-ns/op")
		if teardown[i] > 0 {
			b.ReportMetric(float64(teardown[i])/float64(b.N), s.name+"-teardown-ns/op")
		}
		for _, proc := range s.procs {
			use[p].report(b, proc.name, b.N)
			// What the process spends doing nothing (CRI-O's own timers)
			// over the metered time, taken out: the CPU the calls cost.
			net := use[p].cpu - time.Duration(idle[p]*float64(metered))
			b.ReportMetric(float64(net)/float64(b.N), proc.name+"-netcpu-ns/op")
			b.ReportMetric(idle[p]*1e3, proc.name+"-idle-cpu-ms/s")
			rss, err := procRSS(proc.pid)
			if err != nil {
				b.Fatalf("%s: %v", proc.name, err)
			}
			b.ReportMetric(float64(rss)/(1<<20), proc.name+"-rss-MB")
			p++
		}
	}
	b.ReportMetric(loadAvg(), "load-avg")
}

// crioIdleWindow is how long idleCPU watches the daemons doing nothing.
const crioIdleWindow = 2 * time.Second

// idleCPU returns the share of one CPU each process uses while no call is
// made, watched over window: CRI-O runs timers of its own, and over a loop
// where each side gets a fifth of the calls that background work is a
// large part of its CPU time.
func idleCPU(b *testing.B, procs []*child, window time.Duration) []float64 {
	b.Helper()
	before := make([]time.Duration, len(procs))
	for i, p := range procs {
		before[i] = mustCPU(b, p)
	}
	t0 := time.Now()
	select {
	case <-time.After(window):
	case <-b.Context().Done():
		b.Fatalf("measuring idle CPU: %v", b.Context().Err())
	}
	elapsed := time.Since(t0)
	out := make([]float64, len(procs))
	for i, p := range procs {
		out[i] = float64(mustCPU(b, p)-before[i]) / float64(elapsed)
	}
	return out
}

// requireCrio skips b, loudly, where real CRI-O cannot run by request or
// by privilege: CRIO_TRACE_E2E=skip, or not root. As root, whatever is
// missing (CRI-O, crio-kit, conmon, the harness's tools) fails the
// benchmark naming the command that builds or installs it.
func requireCrio(b *testing.B) {
	b.Helper()
	const install = "sudo ./hack/install-e2e-deps.sh && sudo ./hack/install-crio.sh && sudo ./hack/crio-port.sh   # then: sudo make bench"
	if os.Getenv(harness.E2EEnv) == "skip" {
		b.Skipf("!!! SKIPPING %s: %s=skip is set; the side-by-side numbers need real CRI-O and crio-kit. To run it: %s",
			b.Name(), harness.E2EEnv, install)
	}
	if os.Geteuid() != 0 {
		b.Skipf("!!! SKIPPING %s: not root; CRI-O mounts overlayfs and runs runc. To run it: %s", b.Name(), install)
	}
}
