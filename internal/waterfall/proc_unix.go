//go:build unix

package waterfall

import (
	"errors"
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a new process group whose id is its pid, so
// the browser and the helpers it forks can be stopped together, and makes
// context cancellation kill that group.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return err
		}
		return nil
	}
}

// killProcessGroup kills what is left of the process group cmd started; the
// group holds only cmd's process and its descendants.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // ESRCH: all gone already
	}
}
