package harness

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// crioQuitWait is how long stopCrio waits for the Go runtime's stack dump
// after SIGQUIT before it kills CRI-O.
const crioQuitWait = 5 * time.Second

// stopCrio sends CRI-O SIGTERM and waits up to grace for it to exit. The
// error is nil when CRI-O exited by itself within grace, however slowly
// (with tracing on and no collector it takes 13-28 s).
//
// A CRI-O still running after grace is asked where it hangs before it is
// killed. CRI-O's own stack dump (SIGUSR1, writeCrioGoroutineStacks in
// cmd/crio/main.go) cannot answer: the goroutine that would write it is
// catchShutdown's, the one running the shutdown. So stopCrio records the
// state and kernel wait channel of each of CRI-O's threads, then sends
// SIGQUIT, on which the Go runtime writes every goroutine's stack to
// stderr (CRI-O's log here) and exits; SIGKILL follows if even that does
// not end it. The threads and the part of the log written after SIGQUIT
// are returned as stacks.
func stopCrio(p *Process, grace time.Duration) (stacks string, err error) {
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
	if wait(grace) {
		return "", nil
	}
	threads := threadStates(p.Pid())
	offset := fileSize(p.logPath)
	if p.cmd.Process.Signal(syscall.SIGQUIT) != nil || !wait(crioQuitWait) {
		p.Stop(0) // kills it and reaps it
	}
	stacks = fmt.Sprintf("threads (tid, state, kernel wait channel) at the end of the grace:\n%s\nwhat CRI-O wrote after SIGQUIT:\n%s", threads, readFrom(p.logPath, offset))
	return stacks, fmt.Errorf("CRI-O (pid %d) ignored SIGTERM for %s and was stopped", p.Pid(), grace)
}

// threadStates lists each thread of pid with its scheduler state (R, S, D…)
// and the kernel function it sleeps in: a thread in D is stuck in the
// kernel (a sync or an unmount, say), where no signal reaches it.
func threadStates(pid int) string {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	var b strings.Builder
	for _, task := range tasks {
		stat, _ := os.ReadFile(filepath.Join(dir, task.Name(), "stat"))
		wchan, _ := os.ReadFile(filepath.Join(dir, task.Name(), "wchan"))
		// The state follows the command name, which is in parentheses.
		state := "?"
		if _, after, ok := strings.Cut(string(stat), ") "); ok && after != "" {
			state = after[:1]
		}
		fmt.Fprintf(&b, "%s %s %s\n", task.Name(), state, wchan)
	}
	return b.String()
}

// fileSize is the size of the file at path, or 0.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// readFrom returns the file at path from offset on, or why it cannot.
func readFrom(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.NewSectionReader(f, offset, 1<<62))
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", path, err)
	}
	if len(data) == 0 {
		return "(nothing)"
	}
	return string(data)
}
