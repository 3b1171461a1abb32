package harness

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// Crictl runs crictl with args against endpoint (as both runtime and image
// endpoint) and returns its combined output. Each call is bounded by two
// minutes and by the test's context.
func Crictl(t testing.TB, tools Tools, endpoint string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	argv := append([]string{"--runtime-endpoint", endpoint, "--image-endpoint", endpoint, "--timeout", "60s"}, args...)
	return exec.CommandContext(ctx, tools.Crictl, argv...).CombinedOutput()
}
