package forward

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/test/harness"
)

// critestAttempts is how often a spec whose outcome differs between the two
// full runs is run in all, on each side, to tell a difference crio-trace
// makes from a spec that flakes on the runtime itself.
const critestAttempts = 3

// maxRerun bounds the specs re-run; more differences than that fail the
// test outright.
const maxRerun = 6

// TestCritestParity runs critest v1.30.0 twice per runtime against two
// fresh registries and runtimes: once directly, once through crio-trace in
// forward mode with tracing on. The sets of passing specs must be
// identical. A spec whose outcome differs is run again, alone, on both
// sides until each has had critestAttempts tries: it is a real difference
// (and fails the test) when it passed every time on one side and never on
// the other; otherwise it is logged as flaky on the runtime itself, with
// its pass counts. Every failing spec is logged with its message. It takes
// minutes per run.
func TestCritestParity(t *testing.T) {
	if testing.Short() {
		t.Skip("critest takes minutes; not in -short mode")
	}
	forEachRuntime(t, testCritestParity)
}

// critestSide is one side of the comparison: a name and an endpoint.
type critestSide struct {
	name     string
	endpoint string
	result   harness.CritestResult
}

func testCritestParity(t *testing.T, rc runtimeCase) {
	directEnv := rc.start(t)
	throughEnv := rc.start(t)
	recv := startReceiver(t)
	d := startDaemon(t, "--runtime-endpoint", throughEnv.Runtime.Endpoint(),
		"--enable-tracing", "--tracing-endpoint", recv.Addr())
	sides := []*critestSide{
		{name: "directly against " + rc.name, endpoint: directEnv.Runtime.Endpoint()},
		{name: "through crio-trace", endpoint: d.endpoint()},
	}
	for _, side := range sides {
		if !t.Run(side.name, func(t *testing.T) {
			start := time.Now()
			side.result = harness.RunCritest(t, directEnv.Tools, side.endpoint)
			res := side.result
			t.Logf("critest %s: %d of %d specs passed, %d skipped, in %s",
				side.name, len(res.Passed), res.Ran(), len(res.Skipped), time.Since(start).Round(time.Second))
			for _, name := range res.Failed {
				t.Logf("  failed: %s\n      %s", name, firstLines(res.Failures[name], 3))
			}
			t.Logf("slowest specs: %s", slowest(res.Durations, 5))
			if len(res.Passed) == 0 {
				t.Fatalf("no critest spec passed; see %s", res.Output)
			}
		}) {
			t.FailNow()
		}
	}

	direct, through := sides[0].result, sides[1].result
	t.Logf("%s: passing specs: %d of %d directly, %d of %d through crio-trace", rc.name,
		len(direct.Passed), direct.Ran(), len(through.Passed), through.Ran())
	var differ []string
	for _, name := range direct.Passed {
		if !slices.Contains(through.Passed, name) {
			differ = append(differ, name)
		}
	}
	for _, name := range through.Passed {
		if !slices.Contains(direct.Passed, name) {
			differ = append(differ, name)
		}
	}
	if len(differ) > maxRerun {
		t.Fatalf("%d specs differ between the two runs (more than %d to re-run): %q", len(differ), maxRerun, differ)
	}
	for _, name := range differ {
		t.Run("re-run "+name, func(t *testing.T) {
			passes := make([]int, len(sides))
			for i, side := range sides {
				if slices.Contains(side.result.Passed, name) {
					passes[i]++
				}
				for range critestAttempts - 1 {
					res := harness.RunCritest(t, directEnv.Tools, side.endpoint, "--ginkgo.focus="+regexp.QuoteMeta(name))
					if slices.Contains(res.Passed, name) {
						passes[i]++
					} else if !slices.Contains(res.Failed, name) {
						t.Fatalf("the focused critest run %s did not run %q; see %s", side.name, name, res.Output)
					}
				}
			}
			if always, never := critestAttempts, 0; (passes[0] == always && passes[1] == never) || (passes[0] == never && passes[1] == always) {
				t.Errorf("crio-trace changes the outcome of %q: passed %d of %d times directly, %d of %d through crio-trace\n    direct: %s\n    through: %s",
					name, passes[0], critestAttempts, passes[1], critestAttempts,
					firstLines(direct.Failures[name], 4), firstLines(through.Failures[name], 4))
				return
			}
			t.Logf("flaky on %s itself, not a difference crio-trace makes: passed %d of %d times directly, %d of %d through crio-trace",
				rc.name, passes[0], critestAttempts, passes[1], critestAttempts)
		})
	}
}

// slowest lists the n specs that took longest, with their times.
func slowest(durations map[string]time.Duration, n int) string {
	names := make([]string, 0, len(durations))
	var total time.Duration
	for name, d := range durations {
		names = append(names, name)
		total += d
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(durations[b], durations[a]) })
	var b strings.Builder
	fmt.Fprintf(&b, "%s in all", total.Round(time.Second))
	for _, name := range names[:min(n, len(names))] {
		fmt.Fprintf(&b, "\n      %6s %s", durations[name].Round(100*time.Millisecond), name)
	}
	return b.String()
}

// firstLines returns up to n lines of s, joined by " | ".
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[:min(n, len(lines))], " | ")
}
