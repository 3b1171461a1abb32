package demo_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// startDaemon runs the crio-trace daemon (embedded runtime, tracing off) on
// a socket in a temporary directory, as the "real runtime" the demo
// forwards to, and stops it with SIGTERM when the test ends.
func startDaemon(t *testing.T) string {
	t.Helper()
	sock := filepath.Join(testutil.SocketDir(t), "rt.sock")
	d := testutil.StartDaemon(t, daemonBin, nil, "--listen", sock)
	t.Cleanup(func() {
		if code := d.Stop(t); code != 0 {
			t.Errorf("daemon exit code %d after SIGTERM, want 0\n%s", code, d.Stderr.String())
		}
	})
	d.WaitServing(t)
	return "unix://" + sock
}

// TestForwardMode puts the demo's crio-trace in front of another runtime
// (a crio-trace daemon standing in for containerd): the server spans stay
// under kubelet's, and under each one is crio-trace's CLIENT span for the
// call forwarded onward, instead of the embedded runtime's steps.
func TestForwardMode(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		tracing  bool
	}{
		{name: "pod start through a real runtime", scenario: "pod-start", tracing: true},
		{name: "tracing off through a real runtime", scenario: "tracing-off", tracing: false},
	}
	endpoint := startDaemon(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runDemo(t, "--scenario", tc.scenario, "--runtime-endpoint", endpoint,
				"--html", filepath.Join(t.TempDir(), "t.html"), "--width", "140")
			if r.Code != 0 {
				t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
			}
			if !strings.Contains(r.Stdout, "forwarding to "+endpoint) {
				t.Errorf("output does not say it forwards to %s", endpoint)
			}
			roots := parseTrees(r.Stdout)
			servers := find(roots, "crio-trace", runPodSandbox, "kubelet", runPodSandbox)
			onward := find(roots, "crio-trace", runPodSandbox, "crio-trace", runPodSandbox)
			inner := find(roots, "crio-trace", "crio.sandbox.network", "crio-trace", runPodSandbox)
			want := 0
			if tc.tracing {
				want = 1
			}
			if len(servers) != want || len(onward) != want || len(inner) != 0 {
				t.Errorf("server spans %d, forwarded CLIENT spans %d, embedded steps %d; want %d, %d, 0\n%s",
					len(servers), len(onward), len(inner), want, want, r.Stdout)
			}
			checkCleanedUp(t, r.Stdout)
		})
	}
}
