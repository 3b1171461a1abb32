package systems_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/test/harness"
)

// start runs argv with its output appended to logPath (see
// harness.StartProcess) and registers a cleanup that stops it: SIGTERM,
// then SIGKILL after a grace period.
func start(t *testing.T, name, logPath string, env []string, argv ...string) *harness.Process {
	t.Helper()
	p, err := harness.StartProcess(name, logPath, env, argv...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(15 * time.Second); err != nil {
			t.Errorf("stopping %s: %v", name, err)
		}
		if t.Failed() {
			t.Logf("%s log %s (tail):\n%s", name, logPath, p.Tail(25))
		}
	})
	return p
}

// waitFor polls cond every interval until it returns true, the process
// (when p is not nil) exits, ctx ends, or timeout passes. An error from cond
// means "not yet"; the last one is reported on timeout.
func waitFor(ctx context.Context, p *harness.Process, what string, timeout, interval time.Duration, cond func() (bool, error)) error {
	err := testutil.Poll(timeout, interval, func() (bool, error) {
		if p != nil {
			if done, werr := p.Exited(); done {
				return false, testutil.Stop(fmt.Errorf("%s exited (%v) while waiting; log tail:\n%s", p.Name(), werr, p.Tail(15)))
			}
		}
		if err := ctx.Err(); err != nil {
			return false, testutil.Stop(err)
		}
		return cond()
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
