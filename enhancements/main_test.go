package enhancements

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// daemonBin is cmd/crio-trace built once by TestMain: the config checks
// read `crio-trace config` from it, the telemetry checks run it.
var daemonBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "crio-trace-guideline-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "creating build dir: %v\n", err)
		os.Exit(1)
	}
	daemonBin = filepath.Join(dir, "crio-trace")
	code := 1
	if err := testutil.BuildDaemon(daemonBin); err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
