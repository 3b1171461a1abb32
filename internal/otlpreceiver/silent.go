package otlpreceiver

import (
	"fmt"
	"net"
	"sync"
)

// Silent is a collector that hangs: it accepts TCP connections and never
// reads or answers, as an overloaded collector, one stopped behind a proxy,
// or a middlebox that accepts and drops would. A TCP connect to it succeeds;
// an OTLP request times out.
type Silent struct {
	lis  net.Listener
	mu   sync.Mutex
	held []net.Conn
	done chan struct{}
}

// StartSilent listens on addr ("127.0.0.1:0" for a free port) and holds
// every connection open, unanswered, until Stop.
func StartSilent(addr string) (*Silent, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("silent collector: listening on %q: %w", addr, err)
	}
	s := &Silent{lis: l, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.held = append(s.held, c)
			s.mu.Unlock()
		}
	}()
	return s, nil
}

// Addr returns the host:port the silent collector is bound to.
func (s *Silent) Addr() string { return s.lis.Addr().String() }

// Accepted returns how many connections it has accepted (and held).
func (s *Silent) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.held)
}

// Stop closes the listener and every held connection. It is idempotent.
func (s *Silent) Stop() {
	_ = s.lis.Close()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.held {
		_ = c.Close()
	}
	s.held = nil
}
