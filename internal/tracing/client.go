package tracing

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/stats"
)

// DialOptions returns the options a component adds to its gRPC clients so
// that calls it makes onward (crio-trace to containerd) are CLIENT spans,
// children of the RPC being served, carrying traceparent to the next hop.
//
// A client connection lives longer than any tracing state, so unlike the
// server side this is one stats handler that looks up the provider's
// current pipeline per call: while tracing is off or detached it adds
// nothing to the call and injects nothing, leaving the caller free to pass
// an incoming trace context through untouched.
//
// Guideline step 6: onward propagation (enhancements/distributed-tracing-with-opentelemetry.md).
func (p *Provider) DialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithStatsHandler(&clientSwitch{p: p})}
}

// clientSwitch delegates to the active pipeline's otelgrpc client handler,
// chosen once per call in TagRPC and remembered in the context so a state
// change mid-call cannot split a call across two handlers.
type clientSwitch struct{ p *Provider }

type clientDelegateKey struct{}

var _ stats.Handler = (*clientSwitch)(nil)

func (c *clientSwitch) active() stats.Handler {
	if in := c.p.hot.Load(); in != nil {
		return in.client
	}
	return nil
}

func (c *clientSwitch) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	h := c.active()
	if h == nil {
		return ctx
	}
	ctx = h.TagRPC(ctx, info)
	return context.WithValue(ctx, clientDelegateKey{}, h)
}

func (c *clientSwitch) HandleRPC(ctx context.Context, s stats.RPCStats) {
	if h, ok := ctx.Value(clientDelegateKey{}).(stats.Handler); ok {
		h.HandleRPC(ctx, s)
	}
}

func (c *clientSwitch) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}

func (c *clientSwitch) HandleConn(context.Context, stats.ConnStats) {}
