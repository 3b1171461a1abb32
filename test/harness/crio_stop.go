package harness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// crioStacksAfter is how long stopCrio waits after SIGTERM before it asks
// CRI-O for its goroutine stacks: far above a normal shutdown (under a
// second without a collector to wait for), well below crioStopGrace.
const crioStacksAfter = 20 * time.Second

// stopCrio sends CRI-O SIGTERM and waits up to grace for it to exit, then
// kills it. When it is still running after stacksAfter, it sends
// SIGUSR1, on which CRI-O writes every goroutine's stack to
// $TMPDIR/crio-goroutine-stacks-<time>.log (cmd/crio/main.go,
// writeCrioGoroutineStacks); the file is removed and its text returned, so
// that a shutdown that hangs says where. The error is nil when CRI-O exited
// by itself within grace, however slowly (with tracing on and no collector
// it takes 13-28 s).
func stopCrio(p *Process, stacksAfter, grace time.Duration) (stacks string, err error) {
	if done, _ := p.Exited(); done {
		return "", nil
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return "", fmt.Errorf("sending SIGTERM to CRI-O (pid %d): %w", p.Pid(), err)
	}
	wait := func(d time.Duration) bool {
		select {
		case <-p.done:
			return true
		case <-time.After(d):
			return false
		}
	}
	if wait(min(grace, stacksAfter)) {
		return "", nil
	}
	asked := time.Now()
	if p.cmd.Process.Signal(syscall.SIGUSR1) == nil && !wait(2*time.Second) {
		stacks = takeCrioStacks(asked)
	}
	if wait(grace - stacksAfter - time.Since(asked)) {
		return stacks, nil
	}
	p.Stop(0) // kills it and reaps it
	return stacks, fmt.Errorf("CRI-O (pid %d) ignored SIGTERM for %s and was killed", p.Pid(), grace)
}

// takeCrioStacks reads and removes the goroutine stack files CRI-O wrote
// since t, and returns their text.
func takeCrioStacks(t time.Time) string {
	files, _ := filepath.Glob(filepath.Join(os.TempDir(), "crio-goroutine-stacks-*.log"))
	var b strings.Builder
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil || fi.ModTime().Before(t.Add(-time.Second)) {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "%s:\n%s\n", f, data)
		os.Remove(f)
	}
	if b.Len() == 0 {
		return "(CRI-O wrote no goroutine stacks on SIGUSR1)"
	}
	return b.String()
}
