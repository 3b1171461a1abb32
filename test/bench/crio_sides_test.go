package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/test/harness"
)

// crioSide is one way of serving CRI with real CRI-O in BenchmarkCrio,
// started and connected: kubelet's client (sampled parent) on its endpoint,
// the processes whose CPU time and RSS are measured, and the receiver its
// spans go to (nil with tracing off).
type crioSide struct {
	name string
	k    *kubelet
	// procs are the measured processes: the CRI-O, and for crio-trace in
	// front, the crio-trace daemon first, then the CRI-O behind it.
	procs []*child
	recv  *traceWatch
	// imageRef is what PullImage answered for the busybox image.
	imageRef string
	// socket is the unix socket kubelet's client calls.
	socket string
	// minSpans and maxSpans bound the spans one sampled unary call leaves
	// at recv: what the side's name claims about its tracing.
	minSpans, maxSpans int
}

// crioSides are BenchmarkCrio's sides, in report order:
//
//	crio-off  stock CRI-O v1.34.0, tracing off (as shipped)
//	crio-on   stock CRI-O, its own tracing on: otelgrpc's SERVER span plus
//	          the interceptor's span of the same name, and the handler's
//	          where it opens one
//	kit-off   CRI-O + kit (hack/crio-port.sh), tracing off
//	kit-on    CRI-O + kit, tracing on: one SERVER span per RPC
//	front-on  crio-trace (the daemon binary), tracing on, in front of a
//	          stock CRI-O with tracing off: crio-trace's SERVER span per
//	          RPC and the CLIENT span of its call onward to CRI-O
//
// Each side has a CRI-O of its own, so that the CPU time read off a CRI-O
// process belongs to that side's calls alone.
var crioSides = []string{"crio-off", "crio-on", "kit-off", "kit-on", "front-on"}

// crioListed is how many containers each side's CRI-O holds while
// ListContainers is measured.
const crioListed = 10

// crioBench is everything BenchmarkCrio's loops need.
type crioBench struct {
	sides []*crioSide
	image string // busybox on the loopback registry
	logs  string // pods' log directories
	seq   atomic.Int64
}

// startCrioSides starts a registry and the sides named (of crioSides),
// pulls busybox through each, fills each CRI-O with crioListed containers,
// starts and removes one pod on each (so the timed pods find the pause image
// and runc warm), and checks each side's spans.
func startCrioSides(b *testing.B, names ...string) *crioBench {
	b.Helper()
	kit := harness.CrioKit(b, harness.FindTools(b))
	// The first CRI-O brings the registry up; it needs no receiver. A
	// receiver is started before the CRI-O that exports to it, so that it
	// stops after it (cleanups run last-in first-out).
	env := harness.StartWithCrio(b, harness.CrioOptions{})
	cb := &crioBench{image: env.BusyboxImage, logs: b.TempDir()}
	crio := func(opts harness.CrioOptions) *harness.Crio {
		return harness.StartCrio(b, env.Tools, env.RegistryAddr, opts)
	}
	for _, name := range names {
		s := &crioSide{name: name}
		var endpoint string
		switch name {
		case "crio-off":
			endpoint, s.procs = env.Crio.Endpoint(), []*child{crioChild(name, env.Crio)}
		case "crio-on":
			s.recv, s.minSpans, s.maxSpans = startTraceWatch(b), 2, 3
			c := crio(harness.CrioOptions{Tracing: s.recv.addr})
			endpoint, s.procs = c.Endpoint(), []*child{crioChild(name, c)}
		case "kit-off":
			c := crio(harness.CrioOptions{Binary: kit})
			endpoint, s.procs = c.Endpoint(), []*child{crioChild(name, c)}
		case "kit-on":
			s.recv, s.minSpans, s.maxSpans = startTraceWatch(b), 1, 1
			c := crio(harness.CrioOptions{Binary: kit, Tracing: s.recv.addr})
			endpoint, s.procs = c.Endpoint(), []*child{crioChild(name, c)}
		case "front-on":
			s.recv, s.minSpans, s.maxSpans = startTraceWatch(b), 2, 2
			c := crio(harness.CrioOptions{})
			d := startDaemon(b, name, "--runtime-endpoint", c.Endpoint(), "--enable-tracing", "--tracing-endpoint", s.recv.addr)
			endpoint, s.procs = d.endpoint, []*child{d.proc, crioChild(name+"-crio", c)}
		}
		s.k = (&stack{endpoint: endpoint}).connect(b, true)
		s.socket = strings.TrimPrefix(endpoint, "unix://")
		cb.sides = append(cb.sides, s)
	}
	ctx := quiet(b.Context())
	for _, s := range cb.sides {
		if err := cb.prepare(ctx, s); err != nil {
			b.Fatalf("%s: %v", s.name, err)
		}
	}
	checkCrioSpans(b, cb.sides)
	return cb
}

// crioChild is a CRI-O process for the meter (CPU time, RSS), read from
// /proc/PID/stat: a pod start ends threads.
func crioChild(name string, c *harness.Crio) *child {
	return &child{name: name, pid: c.Pid(), exitedThreads: true}
}

// prepare pulls busybox through s, creates the listed containers and
// starts and removes one pod.
func (cb *crioBench) prepare(ctx context.Context, s *crioSide) error {
	ref, err := s.k.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: cb.image}, nil, nil)
	if err != nil {
		return fmt.Errorf("pulling %s: %w", cb.image, err)
	}
	s.imageRef = ref
	pod := cb.podConfig("listed")
	id, err := s.k.rt.RunPodSandbox(ctx, pod, "")
	if err != nil {
		return fmt.Errorf("running the pod of the listed containers: %w", err)
	}
	for i := range crioListed {
		ctr := cb.container(s, "listed-"+strconv.Itoa(i))
		if _, err := s.k.rt.CreateContainer(ctx, id, ctr, pod); err != nil {
			return fmt.Errorf("creating listed container %d: %w", i, err)
		}
	}
	_, stop, err := cb.podStart(ctx, s)
	if stop != nil {
		if _, serr := stop(); serr != nil && err == nil {
			err = serr
		}
	}
	if err != nil {
		return fmt.Errorf("warm-up pod: %w", err)
	}
	return nil
}

// podConfig is kubelet's sandbox config for a host-network pod.
func (cb *crioBench) podConfig(name string) *runtimeapi.PodSandboxConfig {
	name = "crio-bench-" + name + "-" + strconv.FormatInt(cb.seq.Add(1), 10)
	dir := filepath.Join(cb.logs, name)
	return &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: name, Namespace: "bench", Uid: "uid-" + name},
		Labels:       map[string]string{"app": "bench"},
		Annotations:  map[string]string{"kubernetes.io/config.source": "api"},
		LogDirectory: dir,
		Linux: &runtimeapi.LinuxPodSandboxConfig{SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE},
		}},
	}
}

// container is kubelet's config for a busybox container that sleeps on
// side s: as kubelet does, the image is named by the reference PullImage
// answered, and the name the pod asked for rides along (CRI-O refuses a
// CreateContainer without it).
func (cb *crioBench) container(s *crioSide, name string) *runtimeapi.ContainerConfig {
	return &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: name},
		Image:    &runtimeapi.ImageSpec{Image: s.imageRef, UserSpecifiedImage: cb.image},
		Command:  []string{"sleep", "3600"},
		Labels:   map[string]string{"container": name},
		LogPath:  name + ".log",
		Envs:     []*runtimeapi.KeyValue{{Key: "TOKEN", Value: []byte("not-recorded")}},
	}
}

// podStart is kubelet's pod start, shortened to its three CRI calls, on s.
// stop, when not nil, stops and removes the pod and returns how long that
// took; the caller runs it outside the timed part.
func (cb *crioBench) podStart(ctx context.Context, s *crioSide) (id string, stop func() (time.Duration, error), err error) {
	cfg := cb.podConfig("start")
	if err := os.MkdirAll(cfg.GetLogDirectory(), 0o755); err != nil {
		return "", nil, err
	}
	id, err = s.k.rt.RunPodSandbox(ctx, cfg, "")
	if err != nil {
		return "", nil, fmt.Errorf("RunPodSandbox: %w", err)
	}
	stop = func() (time.Duration, error) {
		t0 := time.Now()
		if err := s.k.rt.StopPodSandbox(ctx, id); err != nil {
			return 0, fmt.Errorf("StopPodSandbox %q: %w", id, err)
		}
		if err := s.k.rt.RemovePodSandbox(ctx, id); err != nil {
			return 0, fmt.Errorf("RemovePodSandbox %q: %w", id, err)
		}
		return time.Since(t0), nil
	}
	ctr, err := s.k.rt.CreateContainer(ctx, id, cb.container(s, "sleeper"), cfg)
	if err != nil {
		return id, stop, fmt.Errorf("CreateContainer: %w", err)
	}
	if err := s.k.rt.StartContainer(ctx, ctr); err != nil {
		return id, stop, fmt.Errorf("StartContainer %q: %w", ctr, err)
	}
	return id, stop, nil
}

// checkCrioSpans proves each side traces as its name says: one Version and
// one ListContainers call, each inside a kubelet span of its own, must
// leave between minSpans and maxSpans spans of that trace at the side's
// receiver, one of them a SERVER span. Sides with tracing off have no
// receiver to send to. CRI-O exports in batches every 5 s: it polls.
func checkCrioSpans(b *testing.B, sides []*crioSide) {
	b.Helper()
	ctx := quiet(b.Context())
	type probe struct {
		side *crioSide
		call string
		id   [16]byte
	}
	var probes []probe
	for _, s := range sides {
		if s.recv == nil {
			continue
		}
		for _, call := range []string{"Version", "ListContainers"} {
			pctx, span := s.k.traced(ctx, "check "+call)
			id := span.SpanContext().TraceID()
			s.recv.watch(id)
			var err error
			if call == "Version" {
				_, err = s.k.rt.Version(pctx, "v1")
			} else {
				_, err = s.k.rt.ListContainers(pctx, nil)
			}
			span.End()
			if err != nil {
				b.Fatalf("%s: %s: %v", s.name, call, err)
			}
			probes = append(probes, probe{side: s, call: call, id: id})
		}
	}
	err := testutil.Poll(30*time.Second, 50*time.Millisecond, func() (bool, error) {
		for _, p := range probes {
			if len(p.side.recv.of(p.id)) < p.side.minSpans {
				return false, nil
			}
		}
		return true, nil
	})
	for _, p := range probes {
		got := p.side.recv.of(p.id)
		server := 0
		for _, s := range got {
			if s == "SERVER runtime.v1.RuntimeService/"+p.call {
				server++
			}
		}
		if len(got) < p.side.minSpans || len(got) > p.side.maxSpans || server != 1 {
			b.Errorf("%s: one %s call left %d span(s) %q, want %d to %d with one SERVER span (poll: %v)",
				p.side.name, p.call, len(got), got, p.side.minSpans, p.side.maxSpans, err)
		} else {
			b.Logf("%s: one %s call left %d span(s): %q", p.side.name, p.call, len(got), got)
		}
	}
	if b.Failed() {
		b.FailNow()
	}
}
