package soak

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	cri "k8s.io/cri-client/pkg"
	"k8s.io/klog/v2"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// soakEnv sets how long the soak runs (a Go duration); default 60 s, the
// length `make test` runs. `make soak` sets 10m.
const soakEnv = "CRIO_TRACE_SOAK"

const (
	clients     = 8
	sampleEvery = 10 * time.Second
	warmUp      = 20 * time.Second // samples before this are not in the slopes
	flapUp      = 8 * time.Second  // the collector answers this long,
	flapDown    = 4 * time.Second  // then is gone this long
	callBudget  = 2 * time.Second  // no CRI call may take longer
	lifeEvery   = 100 * time.Millisecond
)

// Flat, per minute: what a leak of one object per second or so would
// exceed, and what the noise of a 60-s run stays under. The live heap is
// the leak signal of every run: at ~700 calls a second, 2 MiB a minute is
// a leak of 50 bytes a call. One reading after one GC moved by up to
// 1.2 MiB between samples (pooled 1 MiB export buffers held or not); a
// sample's reading (see minLiveHeapKiB) moved by under 260 KiB, and its
// slope was +10 to +24 KiB a minute (measured, -race). RSS is checked
// only from rssAfter on: in a 60-s run it still grows while the runtime
// sizes its heap (+6.4 MiB a minute was seen with a flat live heap), which
// says nothing about a leak.
const (
	maxHeapKiBPerMin   = 2048
	maxRSSKiBPerMin    = 4096
	maxGoroutinePerMin = 20
	maxFDPerMin        = 10
	rssAfter           = 5 * time.Minute
)

func soakDuration(t *testing.T) time.Duration {
	v := os.Getenv(soakEnv)
	if v == "" {
		return time.Minute
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 30*time.Second || d > time.Hour {
		t.Fatalf("%s=%q: accepted a duration from 30s to 1h", soakEnv, v)
	}
	return d
}

// TestSoak runs the daemon under 8 kubelet clients making mixed CRI calls
// for the soak duration while the collector flaps, sampling the daemon's
// RSS, goroutines and open descriptors; then keeps the collector up and
// checks every traced call's span arrives.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak runs a minute or more; skipped with -short")
	}
	total := soakDuration(t)
	collector := testutil.FreeAddr(t)
	dir := testutil.SocketDir(t)
	sock := filepath.Join(dir, "crio.sock")
	cfg := filepath.Join(t.TempDir(), "crio-trace.conf")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`[crio.tracing]
enable_tracing = true
tracing_endpoint = %q
tracing_export_interval = "100ms"
tracing_probe_interval = "500ms"
`, collector)), 0o600); err != nil {
		t.Fatal(err)
	}
	d := testutil.StartDaemon(t, daemonBin, nil, "--listen", sock, "--config", cfg, "--profile", "--profile-port", "0")
	d.WaitServing(t)
	profileAddr := regexp.MustCompile(`msg="profiling: pprof served" address=(\S+)`).FindStringSubmatch(d.WaitLog(t, "profiling: pprof served", 1))[1]

	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx := klog.NewContext(t.Context(), klog.Background().V(10)) // kubelet's client logs only its errors
	rt, err := cri.NewRemoteRuntimeServiceBuilder().WithEndpoint("unix://" + sock).
		WithConnectionTimeout(10 * time.Second).WithTracerProvider(tp).Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close(context.Background()) })
	img, err := cri.NewRemoteImageServiceBuilder().WithEndpoint("unix://" + sock).
		WithConnectionTimeout(10 * time.Second).WithTracerProvider(tp).Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = img.Close(context.Background()) })

	soakCtx, stop := context.WithTimeout(t.Context(), total)
	defer stop()
	start := time.Now()
	var wg sync.WaitGroup
	var calls, failures atomic.Int64
	var firstFailure atomic.Value
	fail := func(what string, err error) {
		if failures.Add(1) == 1 {
			firstFailure.Store(fmt.Sprintf("%s: %v", what, err))
		}
	}
	wg.Go(func() { testutil.FlapCollector(soakCtx, t, collector, flapUp, flapDown) })
	for c := range clients {
		wg.Go(func() { load(soakCtx, c, rt, img, tp.Tracer("kubelet"), &calls, fail) })
	}
	var samples []sample
	tick := time.NewTicker(sampleEvery)
	for soakCtx.Err() == nil {
		select {
		case <-soakCtx.Done():
		case <-tick.C:
			if soakCtx.Err() != nil {
				break // the load has stopped: not a sample of it
			}
			s, err := readSample(d.Pid(), profileAddr, time.Since(start))
			if err != nil {
				t.Fatalf("sampling the daemon: %v", err)
			}
			samples = append(samples, s)
			t.Logf("t=%3.0fs rss=%6.0f KiB heap=%6.0f KiB goroutines=%4.0f fds=%3.0f calls=%d", s.at.Seconds(), s.rssKiB, s.heapKiB, s.goroutines, s.fds, calls.Load())
		}
	}
	tick.Stop()
	wg.Wait()

	if n := failures.Load(); n > 0 {
		t.Errorf("%d of %d CRI calls failed or took over %s; first: %v", n, calls.Load(), callBudget, firstFailure.Load())
	}
	var steady []sample
	for _, s := range samples {
		if s.at >= warmUp {
			steady = append(steady, s)
		}
	}
	if len(steady) < 3 {
		t.Fatalf("only %d samples after warm-up: the soak did not run", len(steady))
	}
	for _, c := range []struct {
		name    string
		field   func(sample) float64
		max     float64
		checked bool
	}{
		{"live heap (KiB)", func(s sample) float64 { return s.heapKiB }, maxHeapKiBPerMin, true},
		{"RSS (KiB)", func(s sample) float64 { return s.rssKiB }, maxRSSKiBPerMin, total >= rssAfter},
		{"goroutines", func(s sample) float64 { return s.goroutines }, maxGoroutinePerMin, true},
		{"open fds", func(s sample) float64 { return s.fds }, maxFDPerMin, true},
	} {
		sl := perMinute(steady, c.field)
		if !c.checked {
			t.Logf("slope of %s: %+.1f per minute over %d samples (checked against %.0f only in soaks of %s or more)", c.name, sl, len(steady), c.max, rssAfter)
			continue
		}
		t.Logf("slope of %s: %+.1f per minute over %d samples (bound %.0f)", c.name, sl, len(steady), c.max)
		if sl > c.max {
			t.Errorf("%s grows %.1f per minute, over the bound of %.0f: a leak", c.name, sl, c.max)
		}
	}

	// Calm: a collector that stays; every traced call's span arrives.
	recv, err := otlpreceiver.Start(collector)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(recv.Stop)
	traced := func() string {
		cctx, span := tp.Tracer("kubelet").Start(ctx, "syncPod")
		defer span.End()
		if _, err := rt.ListContainers(cctx, nil); err != nil {
			t.Fatalf("ListContainers after the soak: %v", err)
		}
		return span.SpanContext().TraceID().String()
	}
	// Spans flow again (the probe or the exporter's reconnect finds the
	// collector); from then on, none may be missing.
	if !testutil.Eventually(30*time.Second, func() bool {
		return len(otlpreceiver.Trace(recv.Spans(), traced())) > 0 || len(recv.Spans()) > 0
	}) {
		t.Fatalf("no span reached the collector within 30 s of its return:\n%s", d.Stderr.String())
	}
	var traces []string
	for range 20 {
		traces = append(traces, traced())
	}
	wctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := recv.WaitFor(wctx, func(spans []otlpreceiver.Span) bool {
		for _, tr := range traces {
			if len(otlpreceiver.Trace(spans, tr)) == 0 {
				return false
			}
		}
		return true
	}); err != nil {
		t.Fatalf("after the soak, not every traced call's span arrived: %v", err)
	}
	t.Logf("soak: %s, %d CRI calls, %d failed; spans lost while the collector was away are counted in the daemon's %q lines: %d",
		total, calls.Load(), failures.Load(), "spans dropped", testutil.CountLines(d.Stderr.String(), "spans dropped"))
	d.Signal(t, syscall.SIGTERM)
	if code := d.Wait(t); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
}

// load plays one kubelet client until ctx ends: a pod of its own through
// its lifecycle, with the polls and image calls in between.
func load(ctx context.Context, client int, rt interface {
	RunPodSandbox(context.Context, *runtimeapi.PodSandboxConfig, string) (string, error)
	StopPodSandbox(context.Context, string) error
	RemovePodSandbox(context.Context, string) error
	CreateContainer(context.Context, string, *runtimeapi.ContainerConfig, *runtimeapi.PodSandboxConfig) (string, error)
	StartContainer(context.Context, string) error
	ListContainers(context.Context, *runtimeapi.ContainerFilter) ([]*runtimeapi.Container, error)
	Version(context.Context, string) (*runtimeapi.VersionResponse, error)
}, img interface {
	PullImage(context.Context, *runtimeapi.ImageSpec, *runtimeapi.AuthConfig, *runtimeapi.PodSandboxConfig) (string, error)
	ImageStatus(context.Context, *runtimeapi.ImageSpec, bool) (*runtimeapi.ImageStatusResponse, error)
}, tr trace.Tracer, calls *atomic.Int64, fail func(string, error)) {
	call := func(what string, fn func(context.Context) error) {
		cctx, span := tr.Start(context.WithoutCancel(ctx), "syncPod")
		defer span.End()
		start := time.Now()
		err := fn(cctx)
		calls.Add(1)
		if err == nil && time.Since(start) > callBudget {
			err = fmt.Errorf("took %s", time.Since(start))
		}
		if err != nil {
			fail(what, err)
		}
	}
	image := &runtimeapi.ImageSpec{Image: "registry.k8s.io/busybox:1.36"}
	// One pod's life every lifeEvery per client: 8 clients make ~700 calls
	// a second, far above what one kubelet sends, without starving the
	// machine the rest of make test shares.
	tick := time.NewTicker(lifeEvery)
	defer tick.Stop()
	for i := 0; ctx.Err() == nil; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		pod := &runtimeapi.PodSandboxConfig{Metadata: &runtimeapi.PodSandboxMetadata{
			Name: fmt.Sprintf("soak-%d", client), Namespace: "soak", Uid: fmt.Sprintf("uid-%d-%d", client, i),
		}}
		var sb, ctr string
		call("PullImage", func(c context.Context) error { _, err := img.PullImage(c, image, nil, pod); return err })
		call("RunPodSandbox", func(c context.Context) (err error) { sb, err = rt.RunPodSandbox(c, pod, ""); return err })
		call("ImageStatus", func(c context.Context) error { _, err := img.ImageStatus(c, image, false); return err })
		call("CreateContainer", func(c context.Context) (err error) {
			ctr, err = rt.CreateContainer(c, sb, &runtimeapi.ContainerConfig{
				Metadata: &runtimeapi.ContainerMetadata{Name: "app"}, Image: image,
			}, pod)
			return err
		})
		call("StartContainer", func(c context.Context) error { return rt.StartContainer(c, ctr) })
		call("ListContainers", func(c context.Context) error { _, err := rt.ListContainers(c, nil); return err })
		call("Version", func(c context.Context) error { _, err := rt.Version(c, "v1"); return err })
		call("StopPodSandbox", func(c context.Context) error { return rt.StopPodSandbox(c, sb) })
		call("RemovePodSandbox", func(c context.Context) error { return rt.RemovePodSandbox(c, sb) })
	}
}
