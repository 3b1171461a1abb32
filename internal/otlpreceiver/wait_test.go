package otlpreceiver_test

import (
	"testing"
	"time"
)

// waitFor fails t unless cond holds within timeout, checking every 10 ms.
// The receiver's tests need nothing of this repository but the receiver, so
// a component that copies it with the tracing kit can run them.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
