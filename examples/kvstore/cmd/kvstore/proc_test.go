package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of every wait: generous, the machine may be a busy two-core one.
const (
	startTimeout = 30 * time.Second
	exitTimeout  = 40 * time.Second
	spanTimeout  = 30 * time.Second
)

// proc is one kvstore process a test started; it is killed by its pid when
// the test ends if it is still running.
type proc struct {
	sock   string
	stderr *syncBuffer
	cmd    *exec.Cmd
	done   chan struct{}
	err    error
}

// startKV starts bin (kvstoreBin unless a test built another) serving on a
// new socket in dir, with args after --listen, and waits until it serves.
// Its environment is the test's without OTEL_* variables.
func startKV(t *testing.T, bin, dir, name string, args ...string) *proc {
	t.Helper()
	p := &proc{sock: filepath.Join(dir, name+".sock"), stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"--listen", p.sock}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OTEL_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		if t.Failed() {
			t.Logf("%s stderr:\n%s", name, p.stderr.String())
		}
	})
	waitFor(t, startTimeout, name+" serving on "+p.sock, func() bool {
		if p.exited() {
			t.Fatalf("%s exited before serving: %v\n%s", name, p.err, p.stderr.String())
		}
		c, err := net.Dial("unix", p.sock)
		if err != nil {
			return false
		}
		_ = c.Close()
		return p.stderr.count(logServing) == 1
	})
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig to the process.
func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("sending %s to pid %d: %v", sig, p.cmd.Process.Pid, err)
	}
}

// wait returns the exit code, failing t after exitTimeout.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(exitTimeout):
		t.Fatalf("pid %d still running after %s\n%s", p.cmd.Process.Pid, exitTimeout, p.stderr.String())
	}
	var ee *exec.ExitError
	switch {
	case p.err == nil:
		return 0
	case errors.As(p.err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("waiting for pid %d: %v", p.cmd.Process.Pid, p.err)
	return -1
}

// stop sends SIGTERM and fails t unless the process exits 0.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0\n%s", code, p.stderr.String())
	}
}

// waitLog waits until stderr has at least n lines containing substr.
func (p *proc) waitLog(t *testing.T, substr string, n int) {
	t.Helper()
	waitFor(t, spanTimeout, fmt.Sprintf("%d log line(s) with %q", n, substr), func() bool {
		return p.stderr.count(substr) >= n
	})
}

// waitFor fails t unless cond holds within timeout; it polls, never sleeps
// blindly.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// syncBuffer collects a child's stderr while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// count returns how many lines contain substr.
func (s *syncBuffer) count(substr string) int {
	n := 0
	for _, l := range strings.Split(s.String(), "\n") {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n
}
