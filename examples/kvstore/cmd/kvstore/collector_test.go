package main

import (
	"net"
	"strings"
	"testing"
)

// Lines the kit logs when the collector goes and comes back.
const (
	logDetached = "instrumentation removed until the collector answers"
	logRestored = "instrumentation restored"
)

// TestNoCollectorThenCollector starts kvstore with tracing on and nothing at
// the endpoint: it serves, logs exactly one line about it and nothing else
// about the exporter; once a collector listens there it logs one more line
// and spans arrive.
func TestNoCollectorThenCollector(t *testing.T) {
	dir := socketDir(t)
	addr := freeAddr(t)
	kv := startKV(t, kvstoreBin, dir, "kv", "--config", writeConfig(t, dir, "kv", true, addr, "kvstore"))
	kv.waitLog(t, logDetached, 1)
	c := newCaller(t, kv.sock)
	for range 5 {
		c.mustPut(t, "k", []byte("v")) // calls are unaffected
	}

	recv := startReceiver(t, addr)
	kv.waitLog(t, logRestored, 1)
	// Right after the switch a call may still ride the old, uninstrumented
	// connection until the client has processed GOAWAY: call until one is
	// traced.
	waitFor(t, spanTimeout, "a Put span at the receiver", func() bool {
		c.mustPut(t, "k", []byte("v"))
		return len(recv.Spans()) > 0
	})
	kv.stop(t)

	log := kv.stderr.String()
	if n := kv.stderr.count(logDetached); n != 1 {
		t.Errorf("%d lines %q, want exactly 1:\n%s", n, logDetached, log)
	}
	if n := kv.stderr.count(logRestored); n != 1 {
		t.Errorf("%d lines %q, want exactly 1:\n%s", n, logRestored, log)
	}
	// Nothing else about the exporter: the only warning is the detach line.
	for _, l := range strings.Split(log, "\n") {
		if (strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR")) && !strings.Contains(l, logDetached) {
			t.Errorf("unexpected line while the collector was away: %s", l)
		}
	}
	for _, s := range recv.Spans() {
		if s.Service != "kvstore" {
			t.Errorf("span %s from service %q, want kvstore", s.Name, s.Service)
		}
	}
}

// freeAddr returns a loopback address nothing listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
