package bench

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// daemonBuild is the crio-trace binary, built once per test binary on
// first use, into a directory TestMain removes.
var daemonBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// daemonBinary returns the path of cmd/crio-trace built for this run.
func daemonBinary(tb testing.TB) string {
	tb.Helper()
	daemonBuild.once.Do(func() {
		daemonBuild.dir, daemonBuild.err = os.MkdirTemp("", "crio-trace-bench-bin")
		if daemonBuild.err != nil {
			return
		}
		daemonBuild.path = filepath.Join(daemonBuild.dir, "crio-trace")
		daemonBuild.err = testutil.BuildDaemon(daemonBuild.path)
	})
	if daemonBuild.err != nil {
		tb.Fatalf("building the crio-trace daemon: %v", daemonBuild.err)
	}
	return daemonBuild.path
}

// removeDaemonBuild removes what daemonBinary built; TestMain calls it.
func removeDaemonBuild() {
	if daemonBuild.dir != "" {
		_ = os.RemoveAll(daemonBuild.dir)
	}
}

// startDaemon runs the crio-trace binary with args plus --listen on a
// socket of its own, waits until it serves, and stops it with SIGTERM when
// tb ends. The daemon runs as shipped: its own logger (info, on stderr, kept
// in memory), no test hooks.
func startDaemon(tb testing.TB, name string, args ...string) *stack {
	tb.Helper()
	sock := filepath.Join(testutil.SocketDir(tb), "crio.sock")
	d := testutil.StartDaemon(tb, daemonBinary(tb), nil, append([]string{"--listen", sock}, args...)...)
	tb.Cleanup(func() {
		if !d.Exited() {
			if code := d.Stop(tb); code != 0 {
				tb.Errorf("%s exited %d on SIGTERM\nstderr:\n%s", name, code, d.Stderr.String())
			}
		}
	})
	d.WaitServing(tb)
	return &stack{endpoint: "unix://" + sock, proc: &child{name: name, pid: d.Pid()}}
}
