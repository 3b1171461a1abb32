package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// daemonBin is this package built by TestMain: the tests that check the
// command line from outside run the real binary.
var daemonBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "crio-trace-cmd-test-")
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
