package forward

import (
	"context"

	"google.golang.org/grpc"
)

// unary makes one downstream unary call: it waits briefly for a connection
// being set up, carries trace headers onward and names the endpoint in an
// Unavailable answer. The response and any other status come back as the
// runtime sent them. ctx carries the caller's deadline and cancellation.
func unary[Req, Resp any](ctx context.Context, b *Backend, req *Req,
	call func(context.Context, *Req, ...grpc.CallOption) (*Resp, error),
) (*Resp, error) {
	if err := b.awaitConn(ctx); err != nil {
		return nil, err
	}
	resp, err := call(outgoing(ctx), req)
	if err != nil {
		return nil, b.wrapErr(err)
	}
	return resp, nil
}
