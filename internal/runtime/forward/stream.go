package forward

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"
)

// relay serves a server-streaming RPC by opening the same stream downstream
// under the caller's stream context, so that the caller's cancellation or
// deadline ends it, and sending on every message until the runtime closes
// the stream. It returns the runtime's final status (nil after a clean end).
func relay[Req, Resp any](b *Backend, req *Req, out grpc.ServerStreamingServer[Resp],
	open func(context.Context, *Req, ...grpc.CallOption) (grpc.ServerStreamingClient[Resp], error),
) error {
	ctx := out.Context()
	if err := b.awaitConn(ctx); err != nil {
		return err
	}
	// Cancelling on return tears the downstream stream down when Send fails
	// before the runtime is done.
	ctx, cancel := context.WithCancel(outgoing(ctx))
	defer cancel()
	in, err := open(ctx, req)
	if err != nil {
		return b.wrapErr(err)
	}
	for {
		msg, err := in.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return b.wrapErr(err)
		}
		if err := out.Send(msg); err != nil {
			return err
		}
	}
}
