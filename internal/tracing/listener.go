package tracing

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
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

// handoffConn is a connection handed to one generation. If that generation
// closes it without having touched it — grpc-go does so for a connection its
// Serve loop accepted just as GracefulStop began (server.go, handleRawConn:
// "if s.quit.HasFired() { rawConn.Close() }") — the connection is passed on
// to reroute (the serving generation) instead of being closed: the client's
// first call on it would otherwise fail with Unavailable, a failure the
// switch itself caused. Once grpc-go has set a deadline, read or written,
// Close closes.
type handoffConn struct {
	net.Conn
	touched atomic.Bool
	reroute func(net.Conn) // takes ownership of the raw connection
}

func (c *handoffConn) Read(b []byte) (int, error) {
	c.touched.Store(true)
	return c.Conn.Read(b)
}

func (c *handoffConn) Write(b []byte) (int, error) {
	c.touched.Store(true)
	return c.Conn.Write(b)
}

func (c *handoffConn) SetDeadline(t time.Time) error {
	c.touched.Store(true)
	return c.Conn.SetDeadline(t)
}

func (c *handoffConn) SetReadDeadline(t time.Time) error {
	c.touched.Store(true)
	return c.Conn.SetReadDeadline(t)
}

func (c *handoffConn) SetWriteDeadline(t time.Time) error {
	c.touched.Store(true)
	return c.Conn.SetWriteDeadline(t)
}

func (c *handoffConn) Close() error {
	if c.touched.CompareAndSwap(false, true) && c.reroute != nil {
		c.reroute(c.Conn)
		return nil
	}
	return c.Conn.Close()
}
