package demo_test

import (
	"errors"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// runTimeout bounds one run of the demo.
const runTimeout = 90 * time.Second

// result is one finished run of the demo.
type result = testutil.Result

// runDemo runs the demo binary with args and waits for it.
func runDemo(t *testing.T, args ...string) result {
	t.Helper()
	return testutil.RunWithin(t, runTimeout, demoBin, append(os.Environ(), "NO_COLOR=1"), args...)
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

// externalRef matches an attribute that loads or links something off the page.
var externalRef = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//`)
