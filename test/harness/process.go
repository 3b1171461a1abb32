package harness

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Process is a program a test started, with its stdout and stderr appended
// to a log file. It is stopped by the pid it was started with, never by name.
type Process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has been waited for
	err     error         // the Wait result, valid after done
}

// StartProcess starts argv with stdout and stderr appended to logPath, in
// its own process group, with env as its whole environment. The child gets
// SIGTERM if the test binary dies before its cleanup runs. name is used in
// messages only. The caller stops the process with Stop.
func StartProcess(name, logPath string, env []string, argv ...string) (*Process, error) {
	if len(argv) == 0 {
		return nil, fmt.Errorf("starting %s: no command", name)
	}
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening %s log: %w", name, err)
	}
	defer logFile.Close() // the child holds its own descriptor

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &Process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Name is the name the process was started with.
func (p *Process) Name() string { return p.name }

// Pid is the process id StartProcess started.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// LogPath is the file the process's output is appended to.
func (p *Process) LogPath() string { return p.logPath }

// Exited reports whether the process has ended, and how.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Stop sends SIGTERM to the process it started, and SIGKILL if it is still
// running after grace. It returns once the process has been reaped.
// Stopping a process that already ended is not an error, and neither is
// a non-zero exit after SIGTERM.
func (p *Process) Stop(grace time.Duration) error {
	if done, _ := p.Exited(); done {
		return nil
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("sending SIGTERM to %s (pid %d): %w", p.name, p.Pid(), err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("killing %s (pid %d): %w", p.name, p.Pid(), err)
	}
	<-p.done
	return fmt.Errorf("%s (pid %d) ignored SIGTERM for %s and was killed", p.name, p.Pid(), grace)
}

// exitError says that the daemon name ended early, with its Wait error.
func exitError(name string, werr error) error {
	if werr == nil {
		return fmt.Errorf("%s exited with status 0", name)
	}
	return fmt.Errorf("%s exited: %w", name, werr)
}

// Tail returns the last n lines of the process's log, or why it cannot.
func (p *Process) Tail(n int) string { return fileTail(p.logPath, n) }

// fileTail returns the last n lines of the file at path, or why it cannot.
func fileTail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", path, err)
	}
	lines := strings.Split(string(bytes.TrimRight(data, "\n")), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
