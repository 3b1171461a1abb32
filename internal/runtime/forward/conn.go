package forward

import (
	"context"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/status"
)

// link is the connection as the log tells it: three states, so that the
// many gRPC transitions of one outage give one line.
type link int

const (
	linkUnknown link = iota // never connected, not yet failed
	linkUp                  // connected
	linkDown                // failed, or lost after being connected
)

// Log messages, one per change of link; tests count them.
const (
	msgConnected   = "runtime connected"
	msgUnavailable = "runtime unavailable, retrying in the background"
	msgLost        = "runtime connection lost, reconnecting"
	msgReconnected = "runtime reconnected"
)

// watch follows the connection's state until ctx ends, logging each change
// of link and kicking an idle connection so that it reconnects by itself
// rather than on the next call.
func (b *Backend) watch(ctx context.Context) {
	defer close(b.watchDone)
	cur, everUp := linkUnknown, false
	b.conn.Connect()
	for {
		st := b.conn.GetState()
		switch st {
		case connectivity.Ready:
			if cur != linkUp {
				if everUp {
					b.log.Info(msgReconnected)
				} else {
					b.log.Info(msgConnected)
				}
				cur, everUp = linkUp, true
			}
		case connectivity.Shutdown:
			return
		default:
			// Idle at start only means "not dialled yet"; after Ready it is
			// how pick_first reports a dropped transport.
			switch {
			case cur == linkUp:
				b.log.Warn(msgLost, "state", st.String())
				cur = linkDown
			case cur == linkUnknown && st == connectivity.TransientFailure:
				b.log.Warn(msgUnavailable, "state", st.String())
				cur = linkDown
			}
			if st == connectivity.Idle {
				b.conn.Connect()
			}
		}
		if !b.conn.WaitForStateChange(ctx, st) {
			return
		}
	}
}

// awaitConn holds a call while the connection is being set up, for at most
// connectWait, so that a runtime that is down answers Unavailable quickly
// instead of after the caller's whole deadline. Ready and TransientFailure
// return at once: gRPC fails a call on a failed connection fast, with the
// dial error as its message.
func (b *Backend) awaitConn(ctx context.Context) error {
	st := b.conn.GetState()
	switch st {
	case connectivity.Ready, connectivity.TransientFailure, connectivity.Shutdown:
		return nil // nothing to wait for, and no timer to set up per call
	case connectivity.Idle:
		b.conn.Connect()
	}
	wait, cancel := context.WithTimeout(ctx, b.connectWait)
	defer cancel()
	for st == connectivity.Idle || st == connectivity.Connecting {
		if !b.conn.WaitForStateChange(wait, st) {
			if err := ctx.Err(); err != nil {
				return status.FromContextError(err).Err()
			}
			return status.Errorf(codes.Unavailable, "runtime at %q is unavailable: still %s after %s",
				b.endpoint, st, b.connectWait)
		}
		st = b.conn.GetState()
	}
	return nil
}

// wrapErr names the endpoint in an Unavailable status from the connection or
// the runtime; every other status passes through untouched.
func (b *Backend) wrapErr(err error) error {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.Unavailable {
		return err
	}
	p := st.Proto()
	p.Message = fmt.Sprintf("runtime at %q is unavailable: %s", b.endpoint, p.GetMessage())
	return status.FromProto(p).Err()
}
