package anchors

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/test/harness"
)

// daemonBin is the crio-trace binary TestMain builds; empty when the tests
// are skipped.
var daemonBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run builds the daemon once, runs the tests and checks that none leaked a
// goroutine.
func run(m *testing.M) int {
	if os.Getenv(harness.E2EEnv) != "skip" {
		dir, err := os.MkdirTemp("", "crio-trace-bin-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "creating the build directory: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
		daemonBin = filepath.Join(dir, "crio-trace")
		if err := testutil.BuildDaemon(daemonBin); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(
			// klog starts its flush daemon on first use and never stops it.
			goleak.IgnoreTopFunction("k8s.io/klog/v2.(*flushDaemon).run.func1"),
		); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines leaked: %v\n", err)
			return 1
		}
	}
	return code
}
