package anchors

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

func init() {
	probes = append(probes,
		probe{
			rows: []string{
				"SIGTERM with a collector: time to exit",
				"SIGTERM with a collector: spans lost",
				"SIGTERM with no collector: time to exit",
			},
			how: []string{
				"tracing on, every span sampled; the lifecycle runs, then the system gets SIGTERM at once: time until it exits.",
				"the same run, with 3 more traced ImageStatus calls made just before the SIGTERM (their spans cannot have left with a timed batch yet): the system's SERVER spans of those 12 calls that never reached the collector (waited for 8 s more).",
				"tracing on with nothing listening at the collector address; the lifecycle runs, then SIGTERM: time until the system exits.",
			},
			run: probeShutdown,
		},
		probe{
			rows: []string{"tracing switched on and off without a restart"},
			how: []string{
				"the system starts with tracing off; its config is changed to tracing on and it gets SIGHUP (CRI-O: a drop-in file in its config directory; crio-trace: its --config file; containerd has no reload) and the lifecycle runs: do its spans arrive? Then back to off, SIGHUP, lifecycle: do they stop?",
			},
			run: probeReload,
		},
	)
}

// exitScore buckets an exit time: higher is better.
func exitScore(d time.Duration) int {
	switch {
	case d < time.Second:
		return 0
	case d < 3*time.Second:
		return -1
	case d < 10*time.Second:
		return -2
	}
	return -3
}

// probeShutdown measures the exit on SIGTERM after a lifecycle, with the
// collector there and with none.
func probeShutdown(t *testing.T, c column) []cell {
	cells := make([]cell, 3) // unmeasured until a subtest measures them
	t.Run("with a collector", func(t *testing.T) {
		recv := startReceiver(t)
		s := c.start(t, setup{tracing: true, endpoint: recv.Addr(), rate: 1000000})
		k := newKubelet(t, s.endpoint, recv.Addr())
		res := lifecycle(t, k, s.env.BusyboxImage)
		burst := lastCalls(t, k, s.env.BusyboxImage, burstCalls)
		took := s.stop(t)
		time.Sleep(quietWait) // spans still to come would arrive now
		calls := len(lifecycleMethods) + 1 + burstCalls
		spans := recv.Spans()
		got := len(of(otlpreceiver.Trace(spans, res.root.TraceID().String()), c.svc, kindServer)) +
			len(of(otlpreceiver.Trace(spans, burst), c.svc, kindServer))
		lost := max(calls-got, 0)
		cells[0] = cell{text: "exits in " + seconds(took), score: exitScore(took), measured: true}
		cells[1] = cell{text: fmt.Sprintf("%d of %d lost", lost, calls), score: -lost, measured: true}
	})
	t.Run("with no collector", func(t *testing.T) {
		s := c.start(t, setup{tracing: true, endpoint: closedPort(t), rate: 1000000})
		k := newKubelet(t, s.endpoint, startReceiver(t).Addr()) // kubelet's own collector answers
		lifecycle(t, k, s.env.BusyboxImage)
		took := s.stop(t)
		cells[2] = cell{text: "exits in " + seconds(took), score: exitScore(took), measured: true}
	})
	return cells
}

// burstCalls is how many calls lastCalls makes.
const burstCalls = 3

// lastCalls makes n traced ImageStatus calls under one root span, flushes
// kubelet's spans, and returns the trace id.
func lastCalls(t *testing.T, k *kubelet, image string, n int) string {
	t.Helper()
	ctx, root := k.tp.Tracer("k8s.io/kubernetes/pkg/kubelet").Start(k.ctx, "syncPod")
	for range n {
		if _, err := k.img.ImageStatus(ctx, &runtimeapi.ImageSpec{Image: image}, false); err != nil {
			t.Fatalf("ImageStatus: %v", err)
		}
	}
	root.End()
	k.flush(t)
	return root.SpanContext().TraceID().String()
}

// probeReload switches tracing on, then off, without a restart.
func probeReload(t *testing.T, c column) []cell {
	recv := startReceiver(t)
	s := c.start(t, setup{tracing: false, endpoint: recv.Addr(), rate: 1000000, viaConfig: true})
	k := newKubelet(t, s.endpoint, recv.Addr())
	if alive := s.reload(t, true, recv.Addr()); !alive {
		return []cell{{text: fmt.Sprintf("no reload: SIGHUP ends %s", c.name), measured: true}}
	}
	res := lifecycle(t, k, s.env.BusyboxImage)
	ctx, cancel := context.WithTimeout(t.Context(), spansWait)
	defer cancel()
	_, err := recv.WaitFor(ctx, func(all []otlpreceiver.Span) bool {
		return len(of(otlpreceiver.Trace(all, res.root.TraceID().String()), c.svc, kindServer)) > 0
	})
	if err != nil {
		return []cell{{text: "not switched on by SIGHUP: no spans after the reload", measured: true}}
	}
	s.reload(t, false, recv.Addr())
	res = lifecycle(t, k, s.env.BusyboxImage)
	time.Sleep(quietWait) // the check is that nothing comes
	if n := len(of(otlpreceiver.Trace(recv.Spans(), res.root.TraceID().String()), c.svc, "")); n > 0 {
		return []cell{{text: fmt.Sprintf("on: yes; off: no (%d spans after switching off)", n), score: 1, measured: true}}
	}
	return []cell{{text: "on and off, by SIGHUP", score: 2, measured: true}}
}

// stop sends SIGTERM to the measured system and returns how long it took
// to exit.
func (s *system) stop(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	if s.proc != nil {
		if err := s.proc.Stop(45 * time.Second); err != nil {
			t.Errorf("stopping crio-trace: %v", err)
		}
	} else {
		s.env.Runtime.Stop(t)
	}
	return time.Since(start)
}

// reload sets the measured system's tracing to on (exporting to endpoint,
// every span sampled) in its configuration and sends it SIGHUP. It reports
// whether the system is still running 3 s later.
func (s *system) reload(t *testing.T, on bool, endpoint string) bool {
	t.Helper()
	pid := s.env.Runtime.Pid()
	switch {
	case s.proc != nil:
		s.writeFrontConfig(t, on, endpoint, 1000000)
		pid = s.proc.Pid()
	case s.env.Crio != nil:
		p := filepath.Join(s.env.Crio.ConfigDir(), "50-anchors-tracing.conf")
		if err := os.WriteFile(p, []byte(tracingTable(on, endpoint, 1000000)), 0o644); err != nil {
			t.Fatalf("writing CRI-O's drop-in: %v", err)
		}
	}
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		t.Fatalf("sending SIGHUP to %s (pid %d): %v", s.col.name, pid, err)
	}
	time.Sleep(3 * time.Second) // reloads are asynchronous and say nothing on the CRI
	if syscall.Kill(pid, 0) != nil {
		if s.proc == nil {
			s.env.Runtime.Stop(t) // let the harness know it is gone
		}
		return false
	}
	return true
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// seconds formats d in milliseconds below a second, else in seconds with
// one decimal.
func seconds(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
