package main

import (
	"testing"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// daemonBin is this package built by TestMain: the tests that check the
// command line from outside run the real binary.
var daemonBin string

func TestMain(m *testing.M) { testutil.MainWithDaemon(m, &daemonBin) }
