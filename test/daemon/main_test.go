package daemon_test

import (
	"testing"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// daemonBin is the path of the daemon TestMain built, or the one
// $CRIO_TRACE_DAEMON names (a release binary, or one built with -overlay to
// try a fix).
var daemonBin string

func TestMain(m *testing.M) { testutil.MainWithDaemon(m, &daemonBin) }
