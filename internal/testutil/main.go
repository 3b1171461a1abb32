package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// DaemonEnv names a prebuilt daemon for MainWithDaemon to test instead of
// building one (a release binary, or one built with -overlay to try a fix).
const DaemonEnv = "CRIO_TRACE_DAEMON"

// IgnoreKlog is the goroutine klog starts when its package loads and never
// stops; goleak checks ignore it.
var IgnoreKlog = goleak.IgnoreTopFunction("k8s.io/klog/v2.(*flushDaemon).run.func1")

// MainWithDaemon is the body of a TestMain whose tests run the daemon: it
// builds cmd/crio-trace into a temporary directory (or takes the binary
// $CRIO_TRACE_DAEMON names), stores its path in *bin, runs the tests, fails
// them if a goroutine leaked, removes the build and exits.
func MainWithDaemon(m *testing.M, bin *string) {
	if prebuilt := os.Getenv(DaemonEnv); prebuilt != "" {
		*bin = prebuilt
		goleak.VerifyTestMain(m, IgnoreKlog)
		return
	}
	dir, err := os.MkdirTemp("", "crio-trace-test-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "creating build dir: %v\n", err)
		os.Exit(1)
	}
	*bin = filepath.Join(dir, "crio-trace")
	if err := BuildDaemon(*bin); err != nil {
		_ = os.RemoveAll(dir)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, IgnoreKlog, goleak.Cleanup(func(int) { _ = os.RemoveAll(dir) }))
}
