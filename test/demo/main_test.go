package demo_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// demoBin and daemonBin are the demo and the crio-trace daemon, built by
// TestMain.
var demoBin, daemonBin string

// TestMain builds the demo once for every test, then checks that no test
// left a goroutine behind.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "crio-trace-demo-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	demoBin = filepath.Join(dir, "crio-trace-demo")
	daemonBin = filepath.Join(dir, "crio-trace")
	build := exec.Command("go", "build", "-o", dir,
		"github.com/crio-trace/crio-trace/cmd/crio-trace-demo", "github.com/crio-trace/crio-trace/cmd/crio-trace")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building the demo and the daemon: %v\n", err)
		return 1
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			return 1
		}
	}
	return code
}
