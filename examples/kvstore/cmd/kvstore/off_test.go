package main

import (
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// TestTracingOffMakesNoConnection runs both hops with tracing disabled but
// pointed at a live receiver: calls work, nobody dials the receiver, and no
// log line carries a trace id, although the caller sends a traceparent.
func TestTracingOffMakesNoConnection(t *testing.T) {
	recv := startReceiver(t, "127.0.0.1:0")
	dir := socketDir(t)
	back := startKV(t, kvstoreBin, dir, "back", "--config", writeConfig(t, dir, "back", false, recv.Addr(), backService), "--log-level", "debug")
	front := startKV(t, kvstoreBin, dir, "front", "--upstream", "unix://"+back.sock,
		"--config", writeConfig(t, dir, "front", false, recv.Addr(), frontService), "--log-level", "debug")
	c := newCaller(t, front.sock)
	for range 5 {
		c.mustPut(t, "k", []byte("v"))
	}
	front.stop(t)
	back.stop(t)

	if n := recv.Connections(); n != 0 {
		t.Errorf("the receiver accepted %d connection(s) from kvstore with tracing off, want 0", n)
	}
	for _, p := range []*proc{front, back} {
		log := p.stderr.String()
		if strings.Contains(log, tracing.LogKeyTraceID+"=") {
			t.Errorf("a log line carries a trace id with tracing off:\n%s", log)
		}
		if !strings.Contains(log, "tracing=off") || p.stderr.count("kvstore rpc") < 5 {
			t.Errorf("want a serving line with tracing=off and a record per call:\n%s", log)
		}
	}
}
