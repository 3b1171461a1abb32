package demo_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// TestOTLPEndpoint runs the demo with --otlp-endpoint pointing at a
// collector of the test's own: both kubelet's and crio-trace's spans must
// reach it, in the same traces, while the demo still prints its waterfall.
func TestOTLPEndpoint(t *testing.T) {
	col, err := otlpreceiver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer col.Stop()
	r := runDemo(t, "--otlp-endpoint", col.Addr(), "--html", filepath.Join(t.TempDir(), "t.html"))
	if r.Code != 0 {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stdout, "forwarded") || !strings.Contains(r.Stdout, col.Addr()) {
		t.Errorf("output does not report the forwarding to %s:\n%s", col.Addr(), r.Stdout)
	}
	spans := col.Spans()
	byService := map[string]int{}
	for _, s := range spans {
		byService[s.Service]++
	}
	if byService["kubelet"] == 0 || byService["crio-trace"] == 0 {
		t.Fatalf("spans at the external collector by service = %v, want both kubelet and crio-trace", byService)
	}
	roots := otlpreceiver.ByName(spans, "syncPod")
	if len(roots) != 1 {
		t.Fatalf("syncPod spans at the external collector = %d, want 1", len(roots))
	}
	servers := 0
	for _, s := range otlpreceiver.Trace(spans, roots[0].TraceID) {
		if s.Service == "crio-trace" && s.Kind == "SERVER" {
			servers++
		}
	}
	if servers == 0 {
		t.Errorf("no crio-trace SERVER span in kubelet's syncPod trace at the external collector")
	}
}

// TestUnreachableOTLPEndpoint checks that a collector that is not there
// does not break the demo: it still shows its waterfall and says that the
// forwarding failed.
func TestUnreachableOTLPEndpoint(t *testing.T) {
	col, err := otlpreceiver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := col.Addr()
	col.Stop() // nothing listens there any more
	r := runDemo(t, "--otlp-endpoint", addr, "--html", filepath.Join(t.TempDir(), "t.html"))
	if r.Code != 0 {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stdout, "could not be delivered") {
		t.Errorf("output does not say the forwarding failed:\n%s", r.Stdout)
	}
	if len(parseTrees(r.Stdout)) != 2 {
		t.Errorf("want both waterfalls printed:\n%s", r.Stdout)
	}
}

// TestFailureExits checks the exit status 1 paths, and that they clean up.
func TestFailureExits(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "timeout", args: []string{"--timeout", "1ns"}, want: "--timeout 1ns reached"},
		{name: "runtime endpoint with nothing behind it",
			args: []string{"--runtime-endpoint", "unix:///nonexistent/crio-trace-demo-test.sock", "--timeout", "20s"},
			want: `runtime at "unix:///nonexistent/crio-trace-demo-test.sock" is unavailable`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runDemo(t, append(tc.args, "--html", filepath.Join(t.TempDir(), "t.html"))...)
			if r.Code != 1 {
				t.Fatalf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
			}
			if !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, r.Stderr)
			}
			checkCleanedUp(t, r.Stdout)
		})
	}
}

// TestInterrupt sends SIGINT while the slow image is being pulled: the demo
// must stop at once (the pull honours cancellation), exit 1 saying why, and
// leave nothing behind.
func TestInterrupt(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, demoBin, "--scenario", "slow-image-pull", "--html", filepath.Join(t.TempDir(), "t.html"))
	var out, errOut testutil.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The ImageStatus line of the slow image is printed just before its pull starts.
	if !testutil.Eventually(30*time.Second, func() bool {
		return strings.Contains(out.String(), "ImageStatus       docker.io/library/nginx:1.27")
	}) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the slow pull never started:\n%s", out.String())
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit after SIGINT = %v, want status 1\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	if took := time.Since(sent); took > 5*time.Second {
		t.Errorf("took %s to stop after SIGINT", took)
	}
	if !strings.Contains(errOut.String(), "interrupt") {
		t.Errorf("stderr does not say it was interrupted:\n%s", errOut.String())
	}
	if strings.Contains(out.String(), "✓ PullImage         docker.io/library/nginx:1.27") {
		t.Errorf("the slow pull completed despite SIGINT:\n%s", out.String())
	}
	checkCleanedUp(t, out.String())
	if _, err := os.Stat(filepath.Join(t.TempDir(), "t.html")); err == nil {
		t.Log("note: HTML written before the interrupt")
	}
}
