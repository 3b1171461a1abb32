package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIsStatic(t *testing.T) {
	notELF := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\necho a shell script, not an ELF binary\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{name: "not an ELF file", path: notELF, wantErr: "bad magic"},
		{name: "missing", path: filepath.Join(t.TempDir(), "absent"), wantErr: "no such file"},
		{name: "dynamically linked", path: "/bin/sh", wantErr: "dynamically linked"},
		{name: "static busybox", path: busyboxPath},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.path); err != nil && tc.wantErr == "" {
				t.Skipf("%s absent here: %v", tc.path, err)
			}
			err := isStatic(tc.path)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("isStatic(%q) = %v, want nil", tc.path, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("isStatic(%q) = %v, want an error containing %q", tc.path, err, tc.wantErr)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("repoRoot: %v", err)
	}
	tests := []struct {
		name        string
		cache       string
		wantMissing []string
	}{
		{name: "empty cache names every built tool", cache: t.TempDir(),
			wantMissing: []string{"crane", "crictl", "critest", "pause", "cni-loopback"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CRIO_TRACE_CACHE", tc.cache)
			tools, missing := locate(root)
			if want := filepath.Join(tc.cache, "bin"); tools.BinDir != want {
				t.Errorf("BinDir = %q, want %q", tools.BinDir, want)
			}
			joined := strings.Join(missing, "\n")
			for _, name := range tc.wantMissing {
				if !strings.Contains(joined, name+" (built by the installer)") {
					t.Errorf("missing list does not name %s:\n%s", name, joined)
				}
			}
		})
	}
}
