package daemon_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// Storm bounds (issue "Hardening", item 3).
const (
	stormFor        = 20 * time.Second
	stormHUPEvery   = 150 * time.Millisecond
	stormCallBudget = time.Second      // every call during the storm
	calmWithin      = 20 * time.Second // spans flow again after it
	termWithin      = 15 * time.Second // SIGTERM to exit
)

// stormConfigs are the [crio.tracing] tables the storm cycles through.
func stormConfigs(endpoint string) []string {
	return []string{
		tracingConfig(true, endpoint, "tracing_sampling_rate_per_million = 1000000"),
		tracingConfig(true, endpoint, "tracing_sampling_rate_per_million = 0"),
		tracingConfig(false, endpoint),
		tracingConfig(true, endpoint, "tracing_sampling_rate_per_million = 500000"),
	}
}

// callStats records the outcome of every CRI call of a load loop.
type callStats struct {
	mu       sync.Mutex
	calls    int
	failures []string
	slowest  time.Duration
	slowName string
	over250  int // calls over 250ms, to see the tail
}

func (s *callStats) record(what string, took time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if took > s.slowest {
		s.slowest, s.slowName = took, what
	}
	if took > 250*time.Millisecond {
		s.over250++
	}
	if err != nil {
		s.failures = append(s.failures, fmt.Sprintf("%s: %v", what, err))
	} else if took > stormCallBudget {
		s.failures = append(s.failures, fmt.Sprintf("%s took %s, over the %s budget", what, took, stormCallBudget))
	}
}

// kubeletLoad plays kubelet until ctx ends: lifecycles of a pod of its own
// (worker names it) and the polls in between, each call under a sampled
// kubelet span.
func kubeletLoad(ctx context.Context, worker int, k *kubelet, tp trace.TracerProvider, stats *callStats) {
	tr := tp.Tracer("kubelet")
	pod := testPod()
	pod.Metadata.Name = fmt.Sprintf("%s-%d", pod.Metadata.Name, worker)
	pod.Metadata.Uid = fmt.Sprintf("%s-%d", pod.Metadata.Uid, worker)
	call := func(what string, fn func(context.Context) error) {
		cctx, span := tr.Start(context.WithoutCancel(ctx), what)
		defer span.End()
		start := time.Now()
		err := fn(cctx)
		stats.record(what, time.Since(start), err)
	}
	for ctx.Err() == nil {
		var id string
		call("RunPodSandbox", func(c context.Context) (err error) { id, err = k.rt.RunPodSandbox(c, pod, ""); return err })
		call("ListContainers", func(c context.Context) error { _, err := k.rt.ListContainers(c, nil); return err })
		call("Version", func(c context.Context) error { _, err := k.rt.Version(c, "v1"); return err })
		if id != "" {
			call("StopPodSandbox", func(c context.Context) error { return k.rt.StopPodSandbox(c, id) })
			call("RemovePodSandbox", func(c context.Context) error { return k.rt.RemovePodSandbox(c, id) })
		}
	}
}

// tracingLines returns the daemon's lines about tracing state and SIGHUP.
func tracingLines(stderr string) (state, sighup int) {
	for _, l := range strings.Split(stderr, "\n") {
		switch {
		case strings.Contains(l, "msg=\"tracing:"):
			state++
		case strings.Contains(l, "msg=\"SIGHUP:"):
			sighup++
		}
	}
	return state, sighup
}

// TestFlappingCollectorAndReloadStorm drives the real binary through the
// worst an operator's environment can do at once, for 20 s: the collector
// starts and stops every few hundred milliseconds, the config file is
// rewritten (tracing on, off, rates) and SIGHUP arrives every 150 ms, with
// kubelet's CRI calls throughout. Every call must succeed within a second,
// the daemon must stay up, and its log stay bounded. Then, once things calm
// down, spans must flow again within 20 s and SIGTERM must exit 0 within 15 s.
func TestFlappingCollectorAndReloadStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("storm test runs 20 s; skipped with -short")
	}
	addr := freeAddr(t)
	sock := socketPath(t)
	configs := stormConfigs(addr)
	cfgPath := writeConfig(t, configs[0])
	d := startDaemon(t, sock, "--config", cfgPath)
	tp, _ := newKubeletProvider(t, sdktrace.AlwaysSample(), "")
	ctx := klogContext(t)
	k := newKubelet(ctx, t, sock, tp)

	stormCtx, stop := context.WithTimeout(ctx, stormFor)
	defer stop()
	var wg sync.WaitGroup
	stats := &callStats{}
	wg.Go(func() { testutil.FlapCollector(stormCtx, t, addr, 300*time.Millisecond, 200*time.Millisecond) })
	for w := range 2 {
		wg.Go(func() { kubeletLoad(stormCtx, w, k, tp, stats) })
	}
	hups := 0
	start := time.Now()
	for stormCtx.Err() == nil {
		rewriteConfig(t, cfgPath, configs[hups%len(configs)])
		d.Signal(t, syscall.SIGHUP)
		hups++
		testutil.Pace(stormCtx, stormHUPEvery)
	}
	wg.Wait()
	stormTook := time.Since(start)

	if d.Exited() {
		t.Fatalf("the daemon died during the storm (exit code %d):\n%s", d.Wait(t), d.Stderr.String())
	}
	t.Logf("storm: %s, %d SIGHUPs, %d CRI calls, %d over 250ms, slowest %s (%s)", stormTook.Round(time.Millisecond), hups, stats.calls, stats.over250, stats.slowest, stats.slowName)
	if len(stats.failures) > 0 {
		t.Errorf("%d of %d CRI calls failed or were slow during the storm; first: %s", len(stats.failures), stats.calls, stats.failures[0])
	}
	if stats.calls < 50 {
		t.Errorf("only %d CRI calls in %s: the load did not run", stats.calls, stormTook)
	}
	// Each budget: a burst of 8, then one per 10 s (and one catch-up line
	// within that budget). The whole run lasts at most stormFor + calm.
	state, sighup := tracingLines(d.Stderr.String())
	t.Logf("log lines during the storm: %d about tracing state, %d about SIGHUP (of %d SIGHUPs)", state, sighup, hups)
	maxLines := 8 + int(stormTook/(10*time.Second)) + 1
	if state > maxLines || sighup > maxLines {
		t.Errorf("log not bounded: %d tracing lines and %d SIGHUP lines, want at most %d each:\n%s", state, sighup, maxLines, d.Stderr.String())
	}

	// Calm: tracing on, a collector that stays.
	recv := startReceiverAt(t, addr)
	rewriteConfig(t, cfgPath, configs[0])
	d.Signal(t, syscall.SIGHUP)
	calmStart := time.Now()
	var sent []string
	if !testutil.Eventually(calmWithin, func() bool {
		sent = append(sent, tracedCall(ctx, t, k, tp))
		spans := serverSpans(recv.Spans())
		for _, tr := range sent {
			if len(otlpreceiver.Trace(spans, tr)) > 0 {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no span reached the collector within %s of calm:\n%s", calmWithin, d.Stderr.String())
	}
	t.Logf("spans flow again %s after calm", time.Since(calmStart).Round(time.Millisecond))

	termStart := time.Now()
	d.Signal(t, syscall.SIGTERM)
	select {
	case <-d.Done():
	case <-time.After(termWithin):
		t.Fatalf("daemon still running %s after SIGTERM", termWithin)
	}
	if code := d.Wait(t); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0:\n%s", code, d.Stderr.String())
	}
	t.Logf("SIGTERM to exit: %s", time.Since(termStart).Round(time.Millisecond))
}
