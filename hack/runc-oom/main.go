// Command runc-oom is a wrapper in front of runc that raises a container's
// oom_score_adj to the caller's own value before runc applies it, and then
// execs the real runc with unchanged arguments.
//
// Why it exists: the test machines run everything as root, but root there
// lacks CAP_SYS_RESOURCE, and lowering /proc/self/oom_score_adj needs that
// capability. CRI-O gives every pod's infra (pause) container
// oom_score_adj -998 (server/sandbox_run_linux.go, PodInfraOOMAdj), so
// without this wrapper every RunPodSandbox fails with "runc create failed:
// ... failed to update /proc/self/oom_score_adj: Permission denied".
// containerd has a switch for the same job (the CRI plugin's
// restrict_oom_score_adj); CRI-O has none, so test/harness puts this wrapper
// in CRI-O's runc runtime table as runtime_path. It never lowers a value and
// never touches anything but process.oomScoreAdj.
//
// It rewrites:
//   - `runc [global flags] create|run [--bundle DIR] ...`: DIR/config.json
//     (DIR defaults to the working directory, as in runc);
//   - `runc [global flags] exec --process FILE ...`: FILE.
//
// The real runc is $CRIO_TRACE_RUNC when set, else the first "runc" on PATH
// that is not this program.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// realRuncEnv names the environment variable holding the real runc's path.
const realRuncEnv = "CRIO_TRACE_RUNC"

func main() {
	if err := run(os.Args); err != nil {
		fmt.Fprintf(os.Stderr, "runc-oom: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	runc, err := realRunc()
	if err != nil {
		return err
	}
	if s, ok := specFile(args[1:]); ok {
		floor, err := ownOOMScoreAdj()
		if err != nil {
			return err
		}
		if err := raiseOOMScoreAdj(s, floor); err != nil {
			return err
		}
	}
	argv := append([]string{runc}, args[1:]...)
	return syscall.Exec(runc, argv, os.Environ())
}

// ownOOMScoreAdj is the value this process runs with: the lowest a child
// may set without CAP_SYS_RESOURCE.
func ownOOMScoreAdj() (int, error) {
	data, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		return 0, fmt.Errorf("reading own oom_score_adj: %w", err)
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, fmt.Errorf("parsing own oom_score_adj %q: %w", data, err)
	}
	return v, nil
}

// realRunc finds the runc to exec: $CRIO_TRACE_RUNC, or the first runc on
// PATH that is not this executable.
func realRunc() (string, error) {
	if p := os.Getenv(realRuncEnv); p != "" {
		if !filepath.IsAbs(p) {
			return "", fmt.Errorf("%s=%q: want an absolute path to runc", realRuncEnv, p)
		}
		return p, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding own path: %w", err)
	}
	self, _ = filepath.EvalSymlinks(self)
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		p := filepath.Join(dir, "runc")
		resolved, err := filepath.EvalSymlinks(p)
		if err != nil || resolved == self {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no runc found: set " + realRuncEnv + " to its absolute path or put it on PATH")
}
