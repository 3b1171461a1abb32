package enhancements

import (
	"testing"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// daemonBin is cmd/crio-trace built once by TestMain: the config checks
// read `crio-trace config` from it, the telemetry checks run it.
var daemonBin string

func TestMain(m *testing.M) { testutil.MainWithDaemon(m, &daemonBin) }
