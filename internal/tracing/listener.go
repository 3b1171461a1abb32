package tracing

import (
	"net"
	"sync"
)

// connQueue is a net.Listener fed by hand: Server's accept loop pushes each
// accepted connection to the queue of the gRPC server generation in charge,
// so two generations can share one real listener without both calling
// Accept on it.
type connQueue struct {
	addr   net.Addr
	conns  chan net.Conn
	mu     sync.Mutex
	closed bool
	done   chan struct{}
}

var _ net.Listener = (*connQueue)(nil)

func newConnQueue(addr net.Addr) *connQueue {
	return &connQueue{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// push hands c to the generation's Serve loop. It reports false when the
// queue was closed first (the generation is draining), so the caller offers
// c to the next generation instead of dropping it.
func (q *connQueue) push(c net.Conn) bool {
	select {
	case q.conns <- c:
		return true
	case <-q.done:
		return false
	}
}

// Accept implements net.Listener.
func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.conns:
		return c, nil
	case <-q.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener; grpc.Server calls it on (Graceful)Stop.
func (q *connQueue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.done)
	}
	return nil
}

// Addr implements net.Listener.
func (q *connQueue) Addr() net.Addr { return q.addr }
