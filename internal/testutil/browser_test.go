package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNeedBrowser(t *testing.T) {
	present := filepath.Join(t.TempDir(), "chromium")
	if err := os.WriteFile(present, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "no-chromium")
	tests := []struct {
		name      string
		path      string
		skipEnv   string
		wantFatal string // substring; "" means no failure
		wantSkip  string // substring; "" means no skip
	}{
		{name: "present", path: present},
		{name: "missing fails and says how to install", path: missing, wantFatal: "apt-get install -y chromium"},
		{name: "missing with the opt-out skips loudly", path: missing, skipEnv: "1", wantSkip: "SKIPPING BROWSER CHECK: " + missing},
		{name: "an opt-out other than 1 still fails", path: missing, skipEnv: "yes", wantFatal: SkipBrowserEnv + "=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(SkipBrowserEnv, tc.skipEnv)
			rec := &recorder{TB: t}
			rec.run(func() { NeedBrowser(rec, tc.path) })
			check := func(kind, got, want string) {
				if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
					t.Errorf("%s message %q, want one containing %q", kind, got, want)
				}
			}
			check("Fatalf", rec.fatal, tc.wantFatal)
			check("Skipf", rec.skip, tc.wantSkip)
		})
	}
}

func TestOutDir(t *testing.T) {
	t.Run("temporary without the variable", func(t *testing.T) {
		t.Setenv(ArtifactsEnv, "")
		dir := OutDir(t)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			t.Fatalf("OutDir %q is not a directory: %v", dir, err)
		}
	})
	t.Run("named after the test under the variable", func(t *testing.T) {
		root := t.TempDir()
		t.Setenv(ArtifactsEnv, root)
		dir := OutDir(t)
		want := filepath.Join(root, "TestOutDir_named_after_the_test_under_the_variable")
		if dir != want {
			t.Fatalf("OutDir = %q, want %q", dir, want)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			t.Fatalf("OutDir %q was not created: %v", dir, err)
		}
	})
}
