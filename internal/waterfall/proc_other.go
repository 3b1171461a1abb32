//go:build !unix

package waterfall

import "os/exec"

// ownProcessGroup leaves cmd as it is where process groups do not exist;
// cancellation kills the browser process only.
func ownProcessGroup(*exec.Cmd) {}

// killProcessGroup has nothing to do without process groups.
func killProcessGroup(*exec.Cmd) {}
