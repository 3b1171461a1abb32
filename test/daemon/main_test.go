package daemon_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

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
	if err := testutil.BuildDaemon(daemonBin); err != nil {
		_ = os.RemoveAll(dir)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m,
		// klog starts its flush daemon when the package loads.
		goleak.IgnoreTopFunction("k8s.io/klog/v2.(*flushDaemon).run.func1"),
		goleak.Cleanup(func(int) { _ = os.RemoveAll(dir) }))
}
