package demo_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"
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

// externalRef matches an attribute that loads or links something off the page.
var externalRef = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//`)
