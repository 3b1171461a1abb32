package harness

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestReadReport(t *testing.T) {
	tests := []struct {
		name        string
		report      string
		wantPassed  []string
		wantFailed  []string
		wantSkipped []string
		wantCut     bool // the suite was cut short
		wantErr     bool
	}{
		{
			name: "specs by state",
			report: `[{"SpecReports": [
				{"ContainerHierarchyTexts": ["[k8s.io] Image Manager"], "LeafNodeText": "should pull", "LeafNodeType": "It", "State": "passed"},
				{"ContainerHierarchyTexts": ["[k8s.io] Networking", "runtime"], "LeafNodeText": "should map ports", "LeafNodeType": "It", "State": "failed", "Failure": {"Message": "no nginx"}},
				{"ContainerHierarchyTexts": ["[k8s.io] Windows"], "LeafNodeText": "should run", "LeafNodeType": "It", "State": "skipped"},
				{"LeafNodeType": "SynchronizedBeforeSuite", "State": "passed"}
			]}]`,
			wantPassed:  []string{"[k8s.io] Image Manager should pull"},
			wantFailed:  []string{"[k8s.io] Networking runtime should map ports"},
			wantSkipped: []string{"[k8s.io] Windows should run"},
		},
		{
			name: "a failed suite setup counts as a failure",
			report: `[{"SpecReports": [
				{"LeafNodeType": "BeforeSuite", "State": "failed", "Failure": {"Message": "no runtime"}},
				{"ContainerHierarchyTexts": ["[k8s.io] PodSandbox"], "LeafNodeText": "should run", "LeafNodeType": "It", "State": "skipped"}
			]}]`,
			wantFailed:  []string{"BeforeSuite"},
			wantSkipped: []string{"[k8s.io] PodSandbox should run"},
		},
		{
			name: "a suite cut short by its timeout",
			report: `[{"SpecialSuiteFailureReasons": ["Suite Timeout Elapsed"], "SpecReports": [
				{"ContainerHierarchyTexts": ["[k8s.io] PodSandbox"], "LeafNodeText": "should run", "LeafNodeType": "It", "State": "passed", "RunTime": 1500000000},
				{"ContainerHierarchyTexts": ["[k8s.io] PodSandbox"], "LeafNodeText": "should stop", "LeafNodeType": "It", "State": "skipped"}
			]}]`,
			wantPassed:  []string{"[k8s.io] PodSandbox should run"},
			wantSkipped: []string{"[k8s.io] PodSandbox should stop"},
			wantCut:     true,
		},
		{name: "no specs", report: `[{"SpecReports": []}]`, wantErr: true},
		{name: "not JSON", report: `<testsuites/>`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := CritestResult{Report: filepath.Join(t.TempDir(), "report.json")}
			if err := os.WriteFile(r.Report, []byte(tc.report), 0o644); err != nil {
				t.Fatal(err)
			}
			err := r.readReport()
			if tc.wantErr {
				if err == nil {
					t.Fatalf("readReport() = nil error, want one; result %+v", r)
				}
				return
			}
			if err != nil {
				t.Fatalf("readReport() error = %v", err)
			}
			for _, c := range []struct {
				what      string
				got, want []string
			}{
				{"passed", r.Passed, tc.wantPassed},
				{"failed", r.Failed, tc.wantFailed},
				{"skipped", r.Skipped, tc.wantSkipped},
			} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
				}
			}
			if tc.wantCut && r.Durations["[k8s.io] PodSandbox should run"] != 1500*time.Millisecond {
				t.Errorf("Durations = %v, want 1.5s for the spec that ran", r.Durations)
			}
			for _, name := range r.Failed {
				if r.Failures[name] == "" {
					t.Errorf("failure of %q has no message", name)
				}
			}
			if got, want := r.Ran(), len(tc.wantPassed)+len(tc.wantFailed); got != want {
				t.Errorf("Ran() = %d, want %d", got, want)
			}
			if cut := len(r.Interrupted) > 0; cut != tc.wantCut {
				t.Errorf("Interrupted = %q, want cut short: %v", r.Interrupted, tc.wantCut)
			}
			if len(r.Durations) != r.Ran() {
				t.Errorf("Durations has %d specs, want the %d that ran", len(r.Durations), r.Ran())
			}
		})
	}
}
