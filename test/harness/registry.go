package harness

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// servingLine is what `crane registry serve` logs once it listens.
var servingLine = regexp.MustCompile(`serving on port (\d+)`)

// StartRegistry serves an in-memory OCI registry on 127.0.0.1 with crane,
// pushes the pause and busybox images to it (building them into the cache
// first if needed; see images.go), and returns its host:port. The registry
// stops when t ends.
func StartRegistry(t testing.TB, tools Tools) string {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "registry.log")
	p, err := StartProcess("registry", logPath, os.Environ(),
		tools.Crane, "registry", "serve", "--address", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("starting the registry: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Stop(5 * time.Second); err != nil {
			t.Errorf("stopping the registry: %v", err)
		}
		if t.Failed() {
			t.Logf("registry log (tail):\n%s", p.Tail(20))
		}
	})

	var port string
	err = testutil.Poll(15*time.Second, 20*time.Millisecond, func() (bool, error) {
		if done, werr := p.Exited(); done {
			return false, testutil.Stop(exitError("registry", werr))
		}
		data, err := os.ReadFile(logPath)
		if err != nil {
			return false, err
		}
		if m := servingLine.FindSubmatch(data); m != nil {
			port = string(m[1])
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("waiting for the registry to listen: %v\n%s", err, p.Tail(20))
	}
	addr := "127.0.0.1:" + port

	start := time.Now()
	if err := pushImages(t, tools, addr, dir); err != nil {
		t.Fatalf("pushing images to the registry at %s: %v", addr, err)
	}
	t.Logf("registry %s serves the test images (pushed in %s)", addr, time.Since(start).Round(time.Millisecond))
	return addr
}
