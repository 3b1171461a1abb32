package bench

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The suite's servers run in child processes: the test binary again,
	// told what to serve by roleEnv (role_test.go).
	if role := os.Getenv(roleEnv); role != "" {
		os.Exit(runChild(role))
	}
	code := m.Run()
	removeDaemonBuild()
	if code == 0 {
		if err := goleak.Find(
			// klog starts its flush daemon on first use and never stops it.
			goleak.IgnoreTopFunction("k8s.io/klog/v2.(*flushDaemon).run.func1"),
		); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines leaked: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}
