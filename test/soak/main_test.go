package soak

import (
	"testing"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// daemonBin is the daemon TestMain built (or $CRIO_TRACE_DAEMON).
var daemonBin string

func TestMain(m *testing.M) { testutil.MainWithDaemon(m, &daemonBin) }
