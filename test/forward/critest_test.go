package forward

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/test/harness"
)

// TestCritestParity runs critest v1.30.0 twice, each time against a fresh
// registry and containerd: once directly, once through crio-trace in forward
// mode with tracing on. The sets of passing specs must be identical;
// failures are listed with their messages. It takes minutes.
func TestCritestParity(t *testing.T) {
	if testing.Short() {
		t.Skip("critest takes minutes; not in -short mode")
	}
	runs := []struct {
		name    string
		through bool
	}{
		{name: "directly against containerd", through: false},
		{name: "through crio-trace", through: true},
	}
	results := make([]harness.CritestResult, len(runs))
	for i, run := range runs {
		if !t.Run(run.name, func(t *testing.T) {
			env := harness.Start(t)
			endpoint := env.Containerd.Endpoint()
			if run.through {
				recv := startReceiver(t)
				d := startDaemon(t, "--runtime-endpoint", endpoint,
					"--enable-tracing", "--tracing-endpoint", recv.Addr())
				endpoint = d.endpoint()
			}
			start := time.Now()
			results[i] = harness.RunCritest(t, env.Tools, endpoint)
			res := results[i]
			t.Logf("critest %s: %d of %d specs passed, %d skipped, in %s",
				run.name, len(res.Passed), res.Ran(), len(res.Skipped), time.Since(start).Round(time.Second))
			if len(res.Passed) == 0 {
				t.Fatalf("no critest spec passed; see %s", res.Output)
			}
		}) {
			t.FailNow()
		}
	}

	direct, through := results[0], results[1]
	t.Logf("passing specs: %d directly, %d through crio-trace", len(direct.Passed), len(through.Passed))
	for _, name := range direct.Passed {
		if !slices.Contains(through.Passed, name) {
			t.Errorf("passes directly but not through crio-trace: %s\n    %s", name, firstLines(through.Failures[name], 4))
		}
	}
	for _, name := range through.Passed {
		if !slices.Contains(direct.Passed, name) {
			t.Errorf("passes through crio-trace but not directly: %s\n    %s", name, firstLines(direct.Failures[name], 4))
		}
	}
	if !t.Failed() {
		for _, name := range direct.Failed {
			t.Logf("fails both ways: %s: %s", name, firstLines(direct.Failures[name], 2))
		}
	}
}

// firstLines returns up to n lines of s, joined by " | ".
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[:min(n, len(lines))], " | ")
}
