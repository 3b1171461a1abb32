package systems_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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

// waitFor polls cond every interval until it returns true, returns an
// error, the process (when p is not nil) exits, or timeout passes.
func waitFor(ctx context.Context, p *harness.Process, what string, timeout, interval time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if p != nil {
			if done, werr := p.Exited(); done {
				return fmt.Errorf("%s: %s exited (%v) while waiting; log tail:\n%s", what, p.Name(), werr, p.Tail(15))
			}
		}
		ok, err := cond()
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not done after %s (last error: %v)", what, timeout, last)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(interval):
		}
	}
}
