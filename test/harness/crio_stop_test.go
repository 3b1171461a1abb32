package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStopCrio stands a shell in for CRI-O: it ignores SIGTERM (or exits on
// it) and, on SIGQUIT, writes a stack to stderr and exits as the Go runtime
// does, or ignores that too.
func TestStopCrio(t *testing.T) {
	const script = `trap '' TERM
trap 'echo "goroutine 1 [select]: catchShutdown" >&2; exit 2' QUIT
while :; do sleep 0.05; done`
	const deaf = `trap '' TERM QUIT
while :; do sleep 0.05; done`
	tests := []struct {
		name       string
		script     string
		wantErr    string
		wantStacks string
	}{
		{name: "exits on SIGTERM", script: "trap 'exit 0' TERM\nwhile :; do sleep 0.05; done"},
		{name: "hangs", script: script, wantErr: "ignored SIGTERM", wantStacks: "catchShutdown"},
		{name: "ignores SIGQUIT too", script: deaf, wantErr: "ignored SIGTERM", wantStacks: "what CRI-O wrote after SIGQUIT:\n(nothing)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			p, err := StartProcess("fake-crio", filepath.Join(tmp, "log"), append(os.Environ(), "TMPDIR="+tmp), "/bin/sh", "-c", tc.script)
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // the traps are set
			stacks, err := stopCrio(p, time.Second)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("stopCrio error = %v, want one containing %q", err, tc.wantErr)
			}
			if !strings.Contains(stacks, tc.wantStacks) || tc.wantStacks == "" && stacks != "" {
				t.Errorf("stacks = %q, want %q", stacks, tc.wantStacks)
			}
			if done, _ := p.Exited(); !done {
				t.Error("the process still runs")
			}
		})
	}
}
