package tracing

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: a probe,
// a draining server generation, a pipeline shutdown or a catch-up timer.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
