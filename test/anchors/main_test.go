package anchors

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/test/harness"
)

// daemonBin is the crio-trace binary TestMain builds; empty when the tests
// are skipped.
var daemonBin string

// TestMain builds the daemon once for every test (not when the tests are
// skipped), runs them and checks that none leaked a goroutine.
func TestMain(m *testing.M) {
	if os.Getenv(harness.E2EEnv) == "skip" {
		goleak.VerifyTestMain(m, testutil.IgnoreKlog)
		return
	}
	testutil.MainWithDaemon(m, &daemonBin)
}
