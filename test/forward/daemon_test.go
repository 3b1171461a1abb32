package forward

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/test/harness"
)

// daemon is a crio-trace process a test started, its stderr in a file.
type daemon struct {
	socket  string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{}
	err     error // Wait's result, valid once done is closed
}

// stopGrace bounds the daemon's SIGTERM shutdown (30 s drain + 10 s flush
// at most) before it is killed.
const stopGrace = 45 * time.Second

// startDaemon runs the crio-trace binary with args plus --listen on a
// short socket path, and waits until the socket accepts connections. When
// t ends the daemon gets SIGTERM and must exit 0; on failure its log tail
// is printed.
func startDaemon(t *testing.T, args ...string) *daemon {
	t.Helper()
	if os.Getenv(harness.E2EEnv) == "skip" {
		t.Skipf("SKIPPING end-to-end test %s: %s=skip is set", t.Name(), harness.E2EEnv)
	}
	if daemonBin == "" {
		t.Fatalf("the crio-trace binary was not built (%s=%q)", harness.E2EEnv, os.Getenv(harness.E2EEnv))
	}
	// Not t.TempDir(): its path grows with the test name, and a unix socket
	// path holds at most 107 bytes.
	dir, err := os.MkdirTemp("", "ctf-")
	if err != nil {
		t.Fatalf("creating the daemon's directory: %v", err)
	}
	d := &daemon{
		socket:  filepath.Join(dir, "crio.sock"),
		logPath: filepath.Join(dir, "crio-trace.log"),
		done:    make(chan struct{}),
	}
	logFile, err := os.Create(d.logPath)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("creating the daemon's log: %v", err)
	}
	defer logFile.Close() // the child holds its own descriptor
	d.cmd = exec.Command(daemonBin, append([]string{"--listen", d.socket}, args...)...)
	d.cmd.Stdout, d.cmd.Stderr = logFile, logFile
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := d.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		t.Fatalf("starting crio-trace: %v", err)
	}
	go func() {
		d.err = d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		if err := d.stop(); err != nil {
			t.Errorf("%v\ncrio-trace log (tail):\n%s", err, d.tail(30))
		} else if t.Failed() {
			t.Logf("crio-trace log %s (tail):\n%s", d.logPath, d.tail(30))
		}
		os.RemoveAll(dir)
	})
	start := time.Now()
	err = testutil.Poll(15*time.Second, 20*time.Millisecond, func() (bool, error) {
		select {
		case <-d.done:
			return false, testutil.Stop(fmt.Errorf("crio-trace exited: %s", errString(d.err)))
		default:
		}
		c, err := net.Dial("unix", d.socket)
		if err != nil {
			return false, err
		}
		return true, c.Close()
	})
	if err != nil {
		t.Fatalf("crio-trace did not listen on %s: %v\nlog:\n%s", d.socket, err, d.tail(30))
	}
	t.Logf("crio-trace (pid %d) listening on %s in %s: %s", d.cmd.Process.Pid, d.socket,
		time.Since(start).Round(time.Millisecond), strings.Join(args, " "))
	return d
}

// endpoint is the daemon's CRI endpoint as clients want it.
func (d *daemon) endpoint() string { return "unix://" + d.socket }

// stop sends SIGTERM to the daemon's pid and waits for it; it returns an
// error unless the daemon exited 0 within stopGrace.
func (d *daemon) stop() error {
	select {
	case <-d.done:
		return fmt.Errorf("crio-trace exited before the test ended: %s", errString(d.err))
	default:
	}
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("sending SIGTERM to crio-trace (pid %d): %w", d.cmd.Process.Pid, err)
	}
	select {
	case <-d.done:
		if d.err != nil {
			return fmt.Errorf("crio-trace did not exit 0 on SIGTERM: %w", d.err)
		}
		return nil
	case <-time.After(stopGrace):
		_ = d.cmd.Process.Kill()
		<-d.done
		return fmt.Errorf("crio-trace (pid %d) ignored SIGTERM for %s and was killed", d.cmd.Process.Pid, stopGrace)
	}
}

// log is everything the daemon wrote to stderr so far.
func (d *daemon) log(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(d.logPath)
	if err != nil {
		t.Fatalf("reading the daemon's log: %v", err)
	}
	return string(data)
}

// tail is the last n lines of the daemon's log.
func (d *daemon) tail(n int) string {
	data, err := os.ReadFile(d.logPath)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func errString(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
