package daemon_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// daemonPackage is the import path of the binary under test.
const daemonPackage = "github.com/crio-trace/crio-trace/cmd/crio-trace"

// raceEnv set to 1 builds the daemon with the race detector.
const raceEnv = "CRIO_TRACE_RACE"

// binEnv names a prebuilt daemon to test instead of building one (a
// release binary, or one built with -overlay to try a fix).
const binEnv = "CRIO_TRACE_DAEMON"

// daemonBin is the path of the daemon built by TestMain.
var daemonBin string

func TestMain(m *testing.M) {
	if bin := os.Getenv(binEnv); bin != "" {
		daemonBin = bin
		goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("k8s.io/klog/v2.(*flushDaemon).run.func1"))
		return
	}
	dir, err := os.MkdirTemp("", "crio-trace-daemon-test-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "creating build dir: %v\n", err)
		os.Exit(1)
	}
	daemonBin = filepath.Join(dir, "crio-trace")
	if err := buildDaemon(daemonBin); err != nil {
		_ = os.RemoveAll(dir)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m,
		// klog starts its flush daemon when the package loads.
		goleak.IgnoreTopFunction("k8s.io/klog/v2.(*flushDaemon).run.func1"),
		goleak.Cleanup(func(int) { _ = os.RemoveAll(dir) }))
}

// buildDaemon builds cmd/crio-trace into out, with -race when raceEnv is 1.
func buildDaemon(out string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := []string{"build", "-o", out}
	if os.Getenv(raceEnv) == "1" {
		args = append(args, "-race")
	}
	args = append(args, daemonPackage)
	cmd := exec.CommandContext(ctx, "go", args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %v: %w\n%s", args, err, b)
	}
	return nil
}
