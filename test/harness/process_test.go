package harness

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

func TestProcessStop(t *testing.T) {
	tests := []struct {
		name       string
		script     string
		wantKilled bool // Stop must report that SIGTERM was ignored
	}{
		{name: "exits on SIGTERM", script: `echo ready; exec sleep 60`},
		{name: "ignores SIGTERM", script: `trap '' TERM; echo ready; while :; do sleep 0.05; done`, wantKilled: true},
		{name: "already exited", script: `echo ready`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logPath := filepath.Join(t.TempDir(), "p.log")
			p, err := StartProcess("sh", logPath, []string{"PATH=/usr/bin:/bin"}, "/bin/sh", "-c", tc.script)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = p.Stop(time.Second) })
			if p.Pid() <= 0 || p.Name() != "sh" || p.LogPath() != logPath {
				t.Fatalf("Pid %d, Name %q, LogPath %q", p.Pid(), p.Name(), p.LogPath())
			}
			if err := testutil.Poll(10*time.Second, 10*time.Millisecond, func() (bool, error) {
				return p.Tail(1) == "ready", nil
			}); err != nil {
				t.Fatalf("waiting for output: %v (tail %q)", err, p.Tail(1))
			}
			err = p.Stop(200 * time.Millisecond)
			if killed := err != nil && strings.Contains(err.Error(), "was killed"); killed != tc.wantKilled {
				t.Errorf("Stop: %v, want killed %t", err, tc.wantKilled)
			}
			if done, _ := p.Exited(); !done {
				t.Error("Exited reports the process running after Stop")
			}
		})
	}
}

func TestStartProcessErrors(t *testing.T) {
	tests := []struct {
		name    string
		logPath string
		argv    []string
	}{
		{name: "no command", logPath: "p.log"},
		{name: "missing binary", logPath: "p.log", argv: []string{"/nonexistent/binary"}},
		{name: "log in a missing directory", logPath: "missing/p.log", argv: []string{"/bin/true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := StartProcess("x", filepath.Join(t.TempDir(), tc.logPath), nil, tc.argv...)
			if err == nil {
				_ = p.Stop(time.Second)
				t.Fatal("StartProcess succeeded")
			}
		})
	}
}
