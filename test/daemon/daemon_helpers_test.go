package daemon_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/test/harness"
)

// Bounds of the waits below. Generous: the daemon may be a -race build on a
// two-core machine shared with other builds.
const (
	startTimeout = 30 * time.Second
	exitTimeout  = 60 * time.Second
	pollEvery    = 10 * time.Millisecond
)

// daemon is one crio-trace process started by a test.
type daemon struct {
	sock   string
	cmd    *exec.Cmd
	stderr *harness.SyncBuffer
	stdout *harness.SyncBuffer
	done   chan struct{} // closed once the process has been waited for
	err    error         // Wait's result, readable once done is closed
}

// socketDir returns a new short directory for unix sockets (t.TempDir paths
// can exceed the 107-byte limit of a socket path), removed when t ends.
func socketDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ct")
	if err != nil {
		t.Fatalf("creating socket dir: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// socketPath returns the path of a socket in a fresh socket directory.
func socketPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(socketDir(t), "crio.sock")
}

// writeConfig writes a config file with body and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "crio-trace.conf")
	rewriteConfig(t, p, body)
	return p
}

// rewriteConfig replaces the config file at path with body, atomically, so
// a daemon reloading it never reads half a file.
func rewriteConfig(t *testing.T, path, body string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		t.Fatalf("writing config: %v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatalf("replacing config: %v", err)
	}
}

// tracingConfig renders a config file whose [crio.tracing] exports to
// endpoint every 100ms and probes an absent collector every 200ms at most,
// so tests see spans and state changes quickly. extra lines go into the
// same table.
func tracingConfig(enabled bool, endpoint string, extra ...string) string {
	var b strings.Builder
	b.WriteString("[crio.tracing]\n")
	if enabled {
		b.WriteString("enable_tracing = true\n")
	} else {
		b.WriteString("enable_tracing = false\n")
	}
	b.WriteString("tracing_endpoint = \"" + endpoint + "\"\n")
	b.WriteString("tracing_export_interval = \"100ms\"\n")
	b.WriteString("tracing_probe_interval = \"200ms\"\n")
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// startProcess starts the daemon with args and returns at once. The process
// is killed (SIGKILL, by its pid) when t ends if it is still running.
func startProcess(t *testing.T, args ...string) *daemon {
	t.Helper()
	d := &daemon{
		cmd:    exec.Command(daemonBin, args...),
		stderr: &harness.SyncBuffer{},
		stdout: &harness.SyncBuffer{},
		done:   make(chan struct{}),
	}
	for i, a := range args {
		if a == "--listen" && i+1 < len(args) {
			d.sock = args[i+1]
		}
	}
	d.cmd.Stderr = d.stderr
	d.cmd.Stdout = d.stdout
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", daemonBin, err)
	}
	go func() {
		d.err = d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		select {
		case <-d.done:
			return
		default:
		}
		_ = d.cmd.Process.Signal(syscall.SIGKILL)
		select {
		case <-d.done:
		case <-time.After(exitTimeout):
			t.Errorf("daemon pid %d did not die after SIGKILL", d.cmd.Process.Pid)
		}
		if t.Failed() {
			t.Logf("daemon stderr:\n%s", d.stderr.String())
		}
	})
	return d
}

// logServing is the daemon's line once it serves.
const logServing = "crio-trace serving"

// startDaemon starts the daemon on sock with args and waits until the
// socket accepts connections and the daemon has logged that it serves.
//
// The log line narrows, but does not close, the window in which the daemon
// serves before it handles signals (see TestSIGTERMRightAfterStart).
func startDaemon(t *testing.T, sock string, args ...string) *daemon {
	t.Helper()
	d := startProcess(t, append([]string{"--listen", sock}, args...)...)
	d.waitServing(t)
	d.waitLog(t, logServing, 1)
	return d
}

// waitServing waits until the daemon's socket accepts a connection, failing
// t if the process exits first or startTimeout passes.
func (d *daemon) waitServing(t *testing.T) {
	t.Helper()
	ok := eventually(startTimeout, func() bool {
		if d.exited() {
			return true
		}
		c, err := net.DialTimeout("unix", d.sock, time.Second)
		if err != nil {
			return false
		}
		_ = c.Close()
		return true
	})
	switch {
	case d.exited():
		t.Fatalf("daemon exited before serving on %s: %v\nstderr:\n%s", d.sock, d.err, d.stderr.String())
	case !ok:
		t.Fatalf("daemon not serving on %s after %s\nstderr:\n%s", d.sock, startTimeout, d.stderr.String())
	}
}

// signal sends sig to the daemon.
func (d *daemon) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("sending %s to pid %d: %v", sig, d.cmd.Process.Pid, err)
	}
}

// wait waits for the daemon to exit and returns its exit code.
func (d *daemon) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-d.done:
	case <-time.After(exitTimeout):
		t.Fatalf("daemon pid %d still running after %s\nstderr:\n%s", d.cmd.Process.Pid, exitTimeout, d.stderr.String())
	}
	var ee *exec.ExitError
	switch {
	case d.err == nil:
		return 0
	case errors.As(d.err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("waiting for daemon: %v", d.err)
	return -1
}

// exited reports whether the daemon has exited.
func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and returns the exit code.
func (d *daemon) stop(t *testing.T) int {
	t.Helper()
	d.signal(t, syscall.SIGTERM)
	return d.wait(t)
}

// waitLog waits until the daemon's stderr holds at least n lines containing
// substr and returns stderr.
func (d *daemon) waitLog(t *testing.T, substr string, n int) string {
	t.Helper()
	var s string
	if !eventually(startTimeout, func() bool {
		s = d.stderr.String()
		return countLines(s, substr) >= n
	}) {
		t.Fatalf("daemon stderr has %d line(s) with %q after %s, want %d:\n%s", countLines(s, substr), substr, startTimeout, n, s)
	}
	return s
}

// eventually polls cond every pollEvery until it returns true, and reports
// false if timeout passes first.
func eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		if cond() {
			return true
		}
		select {
		case <-deadline.C:
			return cond()
		case <-tick.C:
		}
	}
}

// countLines counts the lines of s that contain substr.
func countLines(s, substr string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n
}

// runCLI runs the daemon binary to completion (a subcommand, --help, a bad
// flag) and returns its stdout, stderr and exit code.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), exitTimeout)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, daemonBin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("running crio-trace %q: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// freeAddr returns a loopback host:port nothing listens on (it was free a
// moment ago: the kernel handed it out and the test closed it).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("closing probe listener: %v", err)
	}
	return addr
}

// criVersion calls Version on the daemon at sock over a fresh connection.
func criVersion(ctx context.Context, sock string) (*runtimeapi.VersionResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return runtimeapi.NewRuntimeServiceClient(conn).Version(ctx, &runtimeapi.VersionRequest{})
}
