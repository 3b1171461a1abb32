package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// CritestTimeout bounds one critest run (critest's own --ginkgo.timeout,
// with a hard kill 30 s later). A shorter go test -timeout shortens it.
// Measured: a full run takes 4-7 minutes on two cores, up to 15 when other
// builds and tests share them.
const CritestTimeout = 25 * time.Minute

// CritestResult is the outcome of one critest run, read from its Ginkgo
// JSON report. Spec names are the Describe/Context texts and the It text
// joined by spaces, as Ginkgo prints them.
type CritestResult struct {
	Passed, Failed, Skipped []string
	// Failures maps a failed spec's name to its failure message.
	Failures map[string]string
	// Durations maps every spec that ran to how long it took.
	Durations map[string]time.Duration
	// Interrupted holds Ginkgo's reasons when the suite was cut short
	// (by its timeout, say): specs it never reached count as skipped.
	Interrupted []string
	// ExitErr is critest's exit status (non-nil when any spec failed).
	ExitErr error
	// Output and Report are the paths of critest's output and JSON report.
	Output, Report string
}

// Ran is the number of specs that ran (passed or failed).
func (r CritestResult) Ran() int { return len(r.Passed) + len(r.Failed) }

// RunCritest runs critest against the CRI endpoint (both runtime and image
// service) and returns which specs passed, failed and were skipped. Failing
// specs do not fail t; a critest that produces no report does. extraArgs go
// last, e.g. "--ginkgo.focus=PodSandbox". The run is bounded by
// CritestTimeout.
func RunCritest(t testing.TB, tools Tools, endpoint string, extraArgs ...string) CritestResult {
	t.Helper()
	dir := t.TempDir()
	res := CritestResult{
		Output: filepath.Join(dir, "critest.out"),
		Report: filepath.Join(dir, "critest.json"),
	}
	timeout := CritestTimeout
	if deadline, ok := testDeadline(t); ok {
		// Leave go test's own -timeout room for cleanup.
		timeout = min(timeout, time.Until(deadline)-90*time.Second)
		if timeout < time.Minute {
			t.Fatalf("go test -timeout leaves %s for critest; run with -timeout 20m", timeout)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout+30*time.Second)
	defer cancel()
	args := append([]string{
		"--runtime-endpoint=" + endpoint,
		"--image-endpoint=" + endpoint,
		"--ginkgo.json-report=" + res.Report,
		"--ginkgo.no-color",
		"--ginkgo.timeout=" + timeout.String(),
	}, extraArgs...)
	out, err := os.Create(res.Output)
	if err != nil {
		t.Fatalf("creating critest output: %v", err)
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, tools.Critest, args...)
	cmd.Dir = dir // critest writes files to its working directory
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	res.ExitErr = cmd.Run()
	t.Logf("critest ran in %s (exit: %v); output in %s", time.Since(start).Round(time.Second), res.ExitErr, res.Output)

	if err := res.readReport(); err != nil {
		t.Fatalf("reading critest's report: %v\ncritest output (tail):\n%s", err, fileTail(res.Output, 40))
	}
	if len(res.Interrupted) > 0 {
		t.Fatalf("critest was cut short after %d specs (%s): the specs it never reached would count as skipped; "+
			"is the machine too busy for --ginkgo.timeout=%s? output in %s", res.Ran(), strings.Join(res.Interrupted, "; "), timeout, res.Output)
	}
	return res
}

// ginkgoReport is the part of a Ginkgo v2 JSON report RunCritest reads.
type ginkgoReport struct {
	SpecialSuiteFailureReasons []string
	SpecReports                []struct {
		ContainerHierarchyTexts []string
		LeafNodeText            string
		LeafNodeType            string
		State                   string
		RunTime                 time.Duration // nanoseconds in the JSON
		Failure                 struct {
			Message string
		}
	}
}

// readReport fills the spec sets from the JSON report.
func (r *CritestResult) readReport() error {
	data, err := os.ReadFile(r.Report)
	if err != nil {
		return err
	}
	var reports []ginkgoReport
	if err := json.Unmarshal(data, &reports); err != nil {
		return fmt.Errorf("decoding %s: %w", r.Report, err)
	}
	r.Failures = map[string]string{}
	r.Durations = map[string]time.Duration{}
	for _, rep := range reports {
		r.Interrupted = append(r.Interrupted, rep.SpecialSuiteFailureReasons...)
		for _, s := range rep.SpecReports {
			name := strings.Join(append(append([]string{}, s.ContainerHierarchyTexts...), s.LeafNodeText), " ")
			if s.LeafNodeType != "It" {
				// A failing BeforeSuite or AfterSuite fails everything.
				if s.State != "passed" && s.State != "skipped" {
					r.Failed = append(r.Failed, s.LeafNodeType)
					r.Failures[s.LeafNodeType] = s.Failure.Message
					r.Durations[s.LeafNodeType] = s.RunTime
				}
				continue
			}
			if s.State != "skipped" && s.State != "pending" {
				r.Durations[name] = s.RunTime
			}
			switch s.State {
			case "passed":
				r.Passed = append(r.Passed, name)
			case "skipped", "pending":
				r.Skipped = append(r.Skipped, name)
			default: // failed, panicked, timedout, interrupted, aborted
				r.Failed = append(r.Failed, name)
				r.Failures[name] = s.State + ": " + s.Failure.Message
			}
		}
	}
	if len(r.Passed)+len(r.Failed)+len(r.Skipped) == 0 {
		return errors.New("the report lists no specs")
	}
	for _, s := range [][]string{r.Passed, r.Failed, r.Skipped} {
		sort.Strings(s)
	}
	return nil
}

// testDeadline is go test's -timeout deadline, when t is a *testing.T.
func testDeadline(t testing.TB) (time.Time, bool) {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		return d.Deadline()
	}
	return time.Time{}, false
}
