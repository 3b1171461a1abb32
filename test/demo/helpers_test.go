package demo_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/waterfall"
)

// Environment variables shared with the waterfall package's browser tests.
const (
	// artifactsEnv names a directory where pages and screenshots are kept.
	artifactsEnv = "CRIO_TRACE_ARTIFACTS"
	// skipBrowserEnv set to 1 skips browser checks on machines without Chromium.
	skipBrowserEnv = "CRIO_TRACE_SKIP_BROWSER"
)

// runTimeout bounds one run of the demo.
const runTimeout = 90 * time.Second

// result is one finished run of the demo.
type result struct {
	stdout, stderr string
	code           int
}

// runDemo runs the demo binary with args and waits for it.
func runDemo(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, demoBin, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		t.Fatalf("running %s %v: %v", demoBin, args, err)
	}
	return r
}

// socketDir matches the temporary directory the demo prints its socket in.
var socketDir = regexp.MustCompile(`unix://(\S+)/crio-trace\.sock`)

// checkCleanedUp fails unless the socket directory the run printed is gone.
func checkCleanedUp(t *testing.T, stdout string) {
	t.Helper()
	m := socketDir.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("output names no socket:\n%s", stdout)
	}
	if _, err := os.Stat(m[1]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket directory %s left behind (stat: %v)", m[1], err)
	}
}

// outDir is where a browser check writes its page copy and screenshot: kept
// under $CRIO_TRACE_ARTIFACTS when set, else in t.TempDir().
func outDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv(artifactsEnv)
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("%s: %v", artifactsEnv, err)
	}
	return dir
}

// needBrowser fails loudly when Chromium is missing, unless skipBrowserEnv
// opts out, and then skips just as loudly.
func needBrowser(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(waterfall.ChromiumPath); err == nil {
		return
	}
	if os.Getenv(skipBrowserEnv) == "1" {
		t.Skipf("SKIPPING BROWSER CHECK: %s is missing and %s=1 (install it with: apt-get install -y chromium)",
			waterfall.ChromiumPath, skipBrowserEnv)
	}
	t.Fatalf("%s is missing: install it with `apt-get install -y chromium`, or set %s=1 to skip browser checks",
		waterfall.ChromiumPath, skipBrowserEnv)
}

// externalRef matches an attribute that loads or links something off the page.
var externalRef = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//`)
