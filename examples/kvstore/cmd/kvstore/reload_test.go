package main

import (
	"syscall"
	"testing"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// TestSIGHUP switches tracing on and off on a running kvstore by rewriting
// its config file and sending SIGHUP: off, nobody dials the receiver; on,
// spans arrive under the service name the file gives; off again, the calls
// made after the switch leave no span, proved after SIGTERM has flushed
// everything that was recorded.
func TestSIGHUP(t *testing.T) {
	recv := startReceiver(t, "127.0.0.1:0")
	dir := socketDir(t)
	cfg := writeConfig(t, dir, "kv", false, recv.Addr(), "kvstore-a")
	kv := startKV(t, kvstoreBin, dir, "kv", "--config", cfg)
	c := newCaller(t, kv.sock)
	c.mustPut(t, "before", []byte("v"))
	if n := recv.Connections(); n != 0 {
		t.Fatalf("tracing off: %d connection(s) to the receiver, want 0", n)
	}

	writeConfig(t, dir, "kv", true, recv.Addr(), "kvstore-b")
	kv.signal(t, syscall.SIGHUP)
	kv.waitLog(t, "tracing: enabled", 1)
	waitFor(t, spanTimeout, "a span after SIGHUP switched tracing on", func() bool {
		c.mustPut(t, "on", []byte("v"))
		return len(otlpreceiver.ByName(recv.Spans(), spanPut)) > 0
	})
	for _, s := range recv.Spans() {
		if s.Service != "kvstore-b" {
			t.Errorf("span from service %q, want kvstore-b from the reloaded file", s.Service)
		}
	}

	writeConfig(t, dir, "kv", false, recv.Addr(), "kvstore-b")
	kv.signal(t, syscall.SIGHUP)
	kv.waitLog(t, "tracing: disabled; instrumentation removed", 1)
	kv.waitLog(t, "SIGHUP: configuration reloaded", 2)
	// A call on the old connection may still ride the retiring generation
	// until the client has processed GOAWAY; a new connection made after
	// the reload line can only reach the new one.
	fresh := newCaller(t, kv.sock)
	offTraces := map[string]bool{}
	for range 5 {
		tid, _ := fresh.mustPut(t, "off", []byte("v"))
		offTraces[tid] = true
	}
	kv.stop(t) // flushes whatever was recorded
	for _, s := range recv.Spans() {
		if offTraces[s.TraceID] {
			t.Errorf("span %s of a call made after tracing was switched off", s.Name)
		}
	}
	if n := kv.stderr.count("level=ERROR"); n != 0 {
		t.Errorf("%d error lines:\n%s", n, kv.stderr.String())
	}
}
