package testutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// DaemonPackage is the import path of the crio-trace daemon.
const DaemonPackage = "github.com/crio-trace/crio-trace/cmd/crio-trace"

// RaceEnv set to 1 makes BuildDaemon build the daemon with the race
// detector.
const RaceEnv = "CRIO_TRACE_RACE"

// LogServing is the line the daemon logs once it serves CRI.
const LogServing = "crio-trace serving"

// Bounds of the waits of a Daemon. Generous: the daemon may be a -race build
// on a two-core machine shared with other builds.
const (
	StartTimeout = 30 * time.Second
	ExitTimeout  = 60 * time.Second
)

// BuildDaemon builds cmd/crio-trace into out, with -race when
// CRIO_TRACE_RACE=1. It takes no testing.TB so that TestMain can call it;
// the error carries go build's output.
func BuildDaemon(out string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := []string{"build", "-o", out}
	if os.Getenv(RaceEnv) == "1" {
		args = append(args, "-race")
	}
	args = append(args, DaemonPackage)
	if b, err := exec.CommandContext(ctx, "go", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("go %v: %w\n%s", args, err, b)
	}
	return nil
}

// DaemonBinary builds the daemon into a directory removed when t ends and
// returns its path; it fails t when the build fails.
func DaemonBinary(t testing.TB) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "crio-trace")
	if err := BuildDaemon(out); err != nil {
		t.Fatalf("building the daemon: %v", err)
	}
	return out
}

// Daemon is one crio-trace process a test started. It is killed, by the pid
// it was started with, when the test ends if it is still running.
type Daemon struct {
	// Socket is the path given with --listen, or empty.
	Socket string
	// Stdout and Stderr hold what the process wrote so far.
	Stdout, Stderr *SyncBuffer

	cmd  *exec.Cmd
	done chan struct{} // closed once the process has been waited for
	err  error         // Wait's result, readable once done is closed
}

// StartDaemon starts bin with args and returns at once. env is the
// process's whole environment; nil means the test's own.
func StartDaemon(t testing.TB, bin string, env []string, args ...string) *Daemon {
	t.Helper()
	d := &Daemon{
		cmd:    exec.Command(bin, args...),
		Stdout: &SyncBuffer{},
		Stderr: &SyncBuffer{},
		done:   make(chan struct{}),
	}
	for i, a := range args {
		if a == "--listen" && i+1 < len(args) {
			d.Socket = args[i+1]
		}
	}
	d.cmd.Env = env
	d.cmd.Stdout, d.cmd.Stderr = d.Stdout, d.Stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	go func() {
		d.err = d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		if d.Exited() {
			return
		}
		_ = d.cmd.Process.Signal(syscall.SIGKILL)
		select {
		case <-d.done:
		case <-time.After(ExitTimeout):
			t.Errorf("daemon pid %d did not die after SIGKILL", d.Pid())
		}
		if t.Failed() {
			t.Logf("daemon stderr:\n%s", d.Stderr.String())
		}
	})
	return d
}

// Pid is the process id of the daemon.
func (d *Daemon) Pid() int { return d.cmd.Process.Pid }

// Done is closed once the daemon has exited and been waited for; then Wait
// returns at once. Tests that bound an exit (SIGTERM within 15 s) select on it.
func (d *Daemon) Done() <-chan struct{} { return d.done }

// WaitServing waits until the daemon's socket accepts a connection and the
// daemon has logged LogServing, failing t if the process exits first or
// StartTimeout passes. The log line narrows, but does not close, the window
// in which the daemon serves before it handles signals.
func (d *Daemon) WaitServing(t testing.TB) {
	t.Helper()
	if d.Socket == "" {
		t.Fatal("WaitServing: the daemon was started without --listen")
	}
	err := Poll(StartTimeout, DefaultInterval, func() (bool, error) {
		if d.Exited() {
			return false, Stop(fmt.Errorf("daemon exited before serving on %s: %v", d.Socket, d.err))
		}
		c, err := net.DialTimeout("unix", d.Socket, time.Second)
		if err != nil {
			return false, err
		}
		return true, c.Close()
	})
	if err != nil {
		t.Fatalf("daemon not serving on %s: %v\nstderr:\n%s", d.Socket, err, d.Stderr.String())
	}
	d.WaitLog(t, LogServing, 1)
}

// Signal sends sig to the daemon.
func (d *Daemon) Signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("sending %s to pid %d: %v", sig, d.Pid(), err)
	}
}

// Wait waits up to ExitTimeout for the daemon to exit and returns its exit
// code (-1 when a signal killed it).
func (d *Daemon) Wait(t testing.TB) int {
	t.Helper()
	select {
	case <-d.done:
	case <-time.After(ExitTimeout):
		t.Fatalf("daemon pid %d still running after %s\nstderr:\n%s", d.Pid(), ExitTimeout, d.Stderr.String())
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

// Stop sends SIGTERM and returns the exit code.
func (d *Daemon) Stop(t testing.TB) int {
	t.Helper()
	d.Signal(t, syscall.SIGTERM)
	return d.Wait(t)
}

// Exited reports whether the daemon has exited.
func (d *Daemon) Exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// WaitLog waits up to StartTimeout until the daemon's stderr holds at least
// n lines containing substr, and returns stderr.
func (d *Daemon) WaitLog(t testing.TB, substr string, n int) string {
	t.Helper()
	var s string
	if !Eventually(StartTimeout, func() bool {
		s = d.Stderr.String()
		return CountLines(s, substr) >= n
	}) {
		t.Fatalf("daemon stderr has %d line(s) with %q after %s, want %d:\n%s", CountLines(s, substr), substr, StartTimeout, n, s)
	}
	return s
}

// Result is what a command run to completion printed, and its exit code.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs bin with args to completion (a subcommand, --help, a bad flag),
// bounded by ExitTimeout. env is the whole environment; nil means the
// test's own.
func Run(t testing.TB, bin string, env []string, args ...string) Result {
	t.Helper()
	return RunWithin(t, ExitTimeout, bin, env, args...)
}

// RunWithin is Run bounded by timeout instead: a run past it is killed and
// ends with the code of its kill.
func RunWithin(t testing.TB, timeout time.Duration, bin string, env []string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := Result{Stdout: out.String(), Stderr: errOut.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	default:
		t.Fatalf("running %s %q: %v", bin, args, err)
	}
	return r
}

// FreeAddr returns a loopback host:port nothing listens on (it was free a
// moment ago: the kernel handed it out and FreeAddr closed it).
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("closing the probe listener: %v", err)
	}
	return addr
}

// SocketDir returns a new short directory for unix sockets, removed when t
// ends. t.TempDir() paths grow with the test name and can pass the 107
// bytes a socket path may have.
func SocketDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ct")
	if err != nil {
		t.Fatalf("creating socket dir: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}
