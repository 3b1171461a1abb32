package otlpreceiver

import (
	"net"
	"sync/atomic"
)

// countingListener counts the transport connections it accepts, so tests can
// tell "no exporter ever connected" from "connected but sent nothing".
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

var _ net.Listener = (*countingListener)(nil)

// Accept waits for the next connection and counts it.
func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}
