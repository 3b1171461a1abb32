package demo_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/internal/waterfall"
)

// Span names the demo's traces hold.
const (
	runPodSandbox  = "runtime.v1.RuntimeService/RunPodSandbox"
	pullImage      = "runtime.v1.ImageService/PullImage"
	startContainer = "runtime.v1.RuntimeService/StartContainer"
	stopContainer  = "runtime.v1.RuntimeService/StopContainer"
)

// secret is the environment value the demo gives its app container; it
// must appear nowhere.
const secret = "s3cr3t-demo-token"

// slowestShare reads the slowest-step line of the start trace.
var slowestShare = regexp.MustCompile(`slowest step: (\S+) (\S+) \S+ \((\d+)% of syncPod\)`)

// TestScenarios runs every scenario and checks what a user sees: the span
// tree printed in the terminal, the explanations, the HTML waterfall on
// disk and in a browser, and that the run cleaned up after itself.
func TestScenarios(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		tracing  bool
		pulls    bool
		wantOut  []string
		check    func(t *testing.T, roots []*node, stdout string)
	}{
		{
			name:     "pod start is traced end to end",
			scenario: "pod-start",
			tracing:  true,
			pulls:    true,
			wantOut:  []string{"slowest step: ", "inside crio-trace", "joined"},
		},
		{
			name:     "slow image pull is named as the slowest step",
			scenario: "slow-image-pull",
			tracing:  true,
			pulls:    true,
			wantOut:  []string{"pulling docker.io/library/nginx:1.27 takes 1.5s"},
			check: func(t *testing.T, _ []*node, stdout string) {
				m := slowestShare.FindStringSubmatch(stdout)
				if m == nil {
					t.Fatalf("no slowest-step line for syncPod in:\n%s", stdout)
				}
				if m[1] != "PullImage" || m[2] != "docker.io/library/nginx:1.27" {
					t.Errorf("slowest step = %s %s, want PullImage docker.io/library/nginx:1.27", m[1], m[2])
				}
				if share, _ := strconv.Atoi(m[3]); share < 80 {
					t.Errorf("slowest step takes %d%% of syncPod, want at least 80%% with a 1.5s pull", share)
				}
			},
		},
		{
			name:     "failing container shows the error on the right spans",
			scenario: "failing-container",
			tracing:  true,
			pulls:    true,
			wantOut: []string{
				"✗ StartContainer    log-shipper",
				"✗ crio-trace SERVER   runtime.v1.RuntimeService/StartContainer  rpc.grpc.status_code=9 (FailedPrecondition)",
				`exited at start: command "false" exited with code 1`,
			},
			check: func(t *testing.T, roots []*node, _ string) {
				servers := find(roots, "crio-trace", startContainer, "kubelet", startContainer)
				var failedStarts, okStarts int
				for _, s := range servers {
					for _, c := range s.children {
						if c.name != "crio.container.start" {
							continue
						}
						if c.failed {
							failedStarts++
						} else {
							okStarts++
						}
					}
				}
				if failedStarts != 1 || okStarts != 1 {
					t.Errorf("crio.container.start under crio-trace's StartContainer: %d failed, %d fine; want 1 and 1 (sidecar fails, app starts)", failedStarts, okStarts)
				}
				if roots[0].name != "syncPod" || !roots[0].failed {
					t.Errorf("first root = %+v, want a failed syncPod", roots[0])
				}
			},
		},
		{
			name:     "tracing off leaves kubelet's spans only",
			scenario: "tracing-off",
			tracing:  false,
			wantOut:  []string{"tracing OFF", "crio-trace runs with tracing disabled and sent none", "crio-trace sent no spans"},
			check: func(t *testing.T, roots []*node, _ string) {
				for _, c := range find(roots, "kubelet", runPodSandbox, "kubelet", "syncPod") {
					if len(c.children) != 0 {
						t.Errorf("kubelet's RunPodSandbox has %d children with tracing off, want none", len(c.children))
					}
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			html := filepath.Join(t.TempDir(), "trace.html")
			r := runDemo(t, "--scenario", tc.scenario, "--html", html, "--width", "140")
			if r.Code != 0 {
				t.Fatalf("exit status %d, want 0\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
			}
			t.Logf("output:\n%s", r.Stdout)
			roots := parseTrees(r.Stdout)
			checkCommonTree(t, roots, tc.tracing, tc.pulls)
			teardown := strings.TrimSuffix(html, ".html") + "-teardown.html"
			for _, want := range append(tc.wantOut, "start     "+html, "teardown  "+teardown,
				"Everything the demo started has been stopped.") {
				if !strings.Contains(r.Stdout, want) {
					t.Errorf("output lacks %q", want)
				}
			}
			if strings.Contains(r.Stdout+r.Stderr, secret) {
				t.Errorf("the app's secret environment value %q was printed", secret)
			}
			if tc.check != nil {
				tc.check(t, roots, r.Stdout)
			}
			checkCleanedUp(t, r.Stdout)
			for i, page := range []string{html, teardown} {
				names := spanNames(roots[i : i+1])
				checkHTML(t, page, names)
				checkInBrowser(t, page, names, []string{"start", "teardown"}[i])
			}
		})
	}
}

// checkCommonTree checks the shape every scenario shares: kubelet's two
// roots, a kubelet CLIENT span for each call under them, and with tracing
// on crio-trace's SERVER span under kubelet's and its inner steps; with
// tracing off, no crio-trace span at all.
func checkCommonTree(t *testing.T, roots []*node, tracingOn, pulls bool) {
	t.Helper()
	var rootNames []string
	for _, r := range roots {
		rootNames = append(rootNames, r.service+"/"+r.name)
	}
	if want := []string{"kubelet/syncPod", "kubelet/syncTerminatingPod"}; !slices.Equal(rootNames, want) {
		t.Fatalf("roots = %v, want %v", rootNames, want)
	}
	if got := find(roots, "kubelet", runPodSandbox, "kubelet", "syncPod"); len(got) != 1 {
		t.Errorf("kubelet %s spans under syncPod = %d, want 1", runPodSandbox, len(got))
	}
	if got := find(roots, "kubelet", stopContainer, "kubelet", "syncTerminatingPod"); len(got) != 2 {
		t.Errorf("kubelet %s spans under syncTerminatingPod = %d, want 2", stopContainer, len(got))
	}
	crio := 0
	walk(roots, func(n *node) {
		if n.service == "crio-trace" {
			crio++
		}
	})
	if !tracingOn {
		if crio != 0 {
			t.Errorf("%d crio-trace spans with tracing off, want none", crio)
		}
		return
	}
	wantUnder := []struct {
		service, name, parentService, parent string
		count                                int
	}{
		{"crio-trace", runPodSandbox, "kubelet", runPodSandbox, 1},
		{"crio-trace", "crio.sandbox.network", "crio-trace", runPodSandbox, 1},
		{"crio-trace", "crio.sandbox.infra", "crio-trace", runPodSandbox, 1},
		{"crio-trace", stopContainer, "kubelet", stopContainer, 2},
		{"crio-trace", "crio.container.stop", "crio-trace", stopContainer, 2},
	}
	if pulls {
		wantUnder = append(wantUnder,
			struct {
				service, name, parentService, parent string
				count                                int
			}{"crio-trace", "crio.image.pull", "crio-trace", pullImage, 2})
	}
	for _, w := range wantUnder {
		if got := find(roots, w.service, w.name, w.parentService, w.parent); len(got) != w.count {
			t.Errorf("%s %q under %s %q: %d, want %d", w.service, w.name, w.parentService, w.parent, len(got), w.count)
		}
	}
}

// spanNames returns the distinct span names of the printed trees.
func spanNames(roots []*node) []string {
	var names []string
	walk(roots, func(n *node) {
		if !slices.Contains(names, n.name) {
			names = append(names, n.name)
		}
	})
	return names
}

// checkHTML checks the page on disk: present, self-contained, holding every
// span name and no secret.
func checkHTML(t *testing.T, path string, names []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("HTML waterfall: %v", err)
	}
	page := string(b)
	if !strings.HasPrefix(strings.TrimSpace(page), "<!DOCTYPE html>") {
		t.Errorf("%s does not start with <!DOCTYPE html>", path)
	}
	if m := externalRef.FindString(page); m != "" {
		t.Errorf("%s is not self-contained: it references %q", path, m)
	}
	for _, n := range names {
		if !strings.Contains(page, n) {
			t.Errorf("%s lacks span %q", path, n)
		}
	}
	if strings.Contains(page, secret) {
		t.Errorf("%s holds the secret environment value", path)
	}
}

// checkInBrowser opens the page in headless Chromium: no console message,
// every span name rendered, a screenshot that is not blank.
func checkInBrowser(t *testing.T, path string, names []string, label string) {
	t.Helper()
	testutil.NeedBrowser(t, waterfall.ChromiumPath)
	dir := filepath.Join(testutil.OutDir(t), label)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	shot, err := waterfall.CheckInBrowser(ctx, path, dir, names)
	if err != nil {
		t.Fatalf("in the browser: %v", err)
	}
	t.Logf("screenshot: %s (set %s=DIR to keep it)", shot, testutil.ArtifactsEnv)
}
