package systems_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// latencyPods is how many pods each mode starts; the median is logged.
const latencyPods = 7

// TestPodStartLatency measures pod start (static pod manifest added →
// container running, seen from containerd) with kubelet talking to
// containerd directly, and through crio-trace with tracing off and on. It
// logs medians and ratios and keeps them in bin/systems/pod-start.txt; no
// timing is asserted (the machine is shared). kubelet and containerd trace
// in every mode, so the modes differ only by crio-trace.
func TestPodStartLatency(t *testing.T) {
	s := startStack(t, stackOptions{})
	// Pull once, so no mode pays for the pull.
	if _, err := s.im.PullImage(t.Context(), &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: s.image()}}); err != nil {
		t.Fatalf("pre-pulling %s: %v", s.image(), err)
	}
	modes := []struct {
		name    string
		daemon  bool
		tracing bool
	}{
		{"direct", false, false},
		{"crio-trace tracing off", true, false},
		{"crio-trace tracing on", true, true},
	}
	medians := map[string]time.Duration{}
	var report strings.Builder
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			endpoint := s.runtime.Endpoint()
			if m.daemon {
				endpoint = startDaemon(t, s.st, s.runtime.Endpoint(), s.b.CollectorOTLP, m.tracing).endpoint()
			}
			k := startKubelet(t, s.st, s.ns, kubeletOptions{Runtime: endpoint, OTLP: s.b.CollectorOTLP})
			// One pod first, not counted: the first pod after kubelet starts
			// also waits for kubelet's first housekeeping.
			warm := fmt.Sprintf("warm%d", i)
			full, _ := s.runPod(t, k, warm)
			s.stopPod(t, k, warm, full)
			var took []time.Duration
			for n := range latencyPods {
				name := fmt.Sprintf("lat%d-%d", i, n)
				full, d := s.runPod(t, k, name)
				took = append(took, d)
				s.stopPod(t, k, name, full)
			}
			slices.Sort(took)
			medians[m.name] = took[len(took)/2]
			line := fmt.Sprintf("%-24s median %8s  min %8s  max %8s  (n=%d)", m.name,
				medians[m.name].Round(time.Millisecond), took[0].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond), len(took))
			t.Log(line)
			report.WriteString(line + "\n")
		})
	}
	if len(medians) != len(modes) {
		t.Fatalf("only %d of %d modes measured", len(medians), len(modes))
	}
	ratio := func(a, b string) string {
		return fmt.Sprintf("%-40s %.2f\n", a+" / "+b, float64(medians[a])/float64(medians[b]))
	}
	report.WriteString(ratio("crio-trace tracing off", "direct"))
	report.WriteString(ratio("crio-trace tracing on", "direct"))
	report.WriteString(ratio("crio-trace tracing on", "crio-trace tracing off"))
	t.Logf("pod start (manifest added → container running), medians:\n%s", report.String())
	out := filepath.Join(s.artifactDir(t), "pod-start.txt")
	if err := os.WriteFile(out, []byte(report.String()), 0o644); err != nil {
		t.Errorf("keeping the report: %v", err)
	}
}
