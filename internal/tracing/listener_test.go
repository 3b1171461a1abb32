package tracing

import (
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
)

// gatedListener returns one connection from Accept, but only once open is
// closed, and then reports itself closed.
type gatedListener struct {
	conn    net.Conn
	entered chan struct{} // closed when Serve first calls Accept
	open    chan struct{}
	closed  chan struct{}
	served  bool
}

func (l *gatedListener) Accept() (net.Conn, error) {
	if !l.served {
		l.served = true
		close(l.entered)
		<-l.open
		return l.conn, nil
	}
	<-l.closed
	return nil, net.ErrClosed
}

func (l *gatedListener) Close() error {
	select {
	case <-l.closed:
	default:
		close(l.closed)
	}
	return nil
}

func (l *gatedListener) Addr() net.Addr { return &net.UnixAddr{Name: "gated", Net: "unix"} }

// TestHandoffConnSurvivesGracefulStop reproduces, deterministically, the
// race a generation switch used to lose: grpc-go's Serve accepts a
// connection just as GracefulStop begins, and closes it without a word. The
// handoffConn passes the untouched connection on instead, intact.
func TestHandoffConnSurvivesGracefulStop(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	got := make(chan net.Conn, 1)
	lis := &gatedListener{
		conn:    &handoffConn{Conn: server, reroute: func(c net.Conn) { got <- c }},
		entered: make(chan struct{}),
		open:    make(chan struct{}),
		closed:  make(chan struct{}),
	}
	srv := grpc.NewServer()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	<-lis.entered
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	// GracefulStop fires the server's quit event before closing listeners
	// and waiting for Serve; the Accept returns after it.
	time.Sleep(50 * time.Millisecond) // let GracefulStop fire quit; no condition to poll inside grpc-go
	close(lis.open)
	select {
	case c := <-got:
		if c != server {
			t.Fatalf("rerouted %v, want the raw connection", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the connection accepted during GracefulStop was not handed on")
	}
	<-stopped
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	// The handed-on connection still works: nothing was read or closed.
	go func() { _, _ = server.Write([]byte("ok")) }()
	buf := make([]byte, 2)
	if _, err := client.Read(buf); err != nil || string(buf) != "ok" {
		t.Fatalf("handed-on connection is broken: %q, %v", buf, err)
	}
	_ = server.Close()
}

// TestHandoffConnClosesOnceTouched: after grpc-go has used the connection,
// Close closes it.
func TestHandoffConnClosesOnceTouched(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	rerouted := false
	c := &handoffConn{Conn: server, reroute: func(net.Conn) { rerouted = true }}
	_ = c.SetDeadline(time.Time{})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if rerouted {
		t.Fatal("a touched connection was rerouted")
	}
	if _, err := client.Write([]byte("x")); err == nil {
		t.Fatal("the peer can still write: the connection was not closed")
	}
}
