package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ArtifactsEnv names a directory where browser checks keep the pages and
// screenshots they make, for people to look at; without it they go to
// t.TempDir() and are removed.
const ArtifactsEnv = "CRIO_TRACE_ARTIFACTS"

// SkipBrowserEnv set to 1 lets a machine without Chromium skip the browser
// checks, loudly, instead of failing them.
const SkipBrowserEnv = "CRIO_TRACE_SKIP_BROWSER"

// OutDir returns the directory a browser check writes its page copy and
// screenshot to: a directory named after the test under $CRIO_TRACE_ARTIFACTS
// when that is set, else t.TempDir().
func OutDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv(ArtifactsEnv)
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("%s: %v", ArtifactsEnv, err)
	}
	return dir
}

// NeedBrowser fails t when the Chromium binary at chromium is missing, and
// says how to install it. With CRIO_TRACE_SKIP_BROWSER=1 it skips t instead,
// with the same message, so the skip is seen in the test summary.
func NeedBrowser(t testing.TB, chromium string) {
	t.Helper()
	if _, err := os.Stat(chromium); err == nil {
		return
	}
	if os.Getenv(SkipBrowserEnv) == "1" {
		t.Skipf("SKIPPING BROWSER CHECK: %s is missing and %s=1 (install it with: apt-get install -y chromium)",
			chromium, SkipBrowserEnv)
	}
	t.Fatalf("%s is missing: install it with `apt-get install -y chromium`, or set %s=1 to skip browser checks",
		chromium, SkipBrowserEnv)
}
