package tracing

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// The kit's tests need nothing of this repository but the kit and
// internal/otlpreceiver, so a component that copies the two can run them
// (enhancements/copykit_test.go proves it). These helpers stand in for the
// repository's internal/testutil.

// syncBuffer is a log sink safe to read while loggers write to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Count returns how many lines written so far contain substr.
func (s *syncBuffer) Count(substr string) int {
	n := 0
	for _, l := range strings.Split(s.String(), "\n") {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n
}

// freeLoopbackAddr returns a loopback host:port nothing listens on (it was
// free a moment ago).
func freeLoopbackAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("closing the probe listener: %v", err)
	}
	return addr
}

// waitFor fails t, naming what it waited for, unless cond holds within
// timeout; it checks every 10 ms.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		<-tick.C
	}
}
