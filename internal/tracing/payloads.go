package tracing

import (
	"context"

	"google.golang.org/grpc/stats"
)

// spanEventsOnly wraps otelgrpc's stats handler so that it sees only the
// RPC events its span is made from: stats.Begin and the header events (the
// peer and server addresses) and stats.End (the status; the span ends).
//
// The others — each message's stats.InPayload and stats.OutPayload, and the
// trailers — feed nothing of the span: only otelgrpc's message events
// (WithMessageEvents, which the kit never turns on) and its RPC size and
// message-count metrics, which go to a no-op meter provider here. Yet
// otelgrpc releases up to v0.60 (what CRI-O v1.34 pins) still build a slice,
// an attribute set and two metric records per message for those metrics, and
// a slice for every other event; later releases ignore them. Not passing
// them on costs the span nothing and saves that work on every call, and on
// every message of a stream.
func spanEventsOnly(h stats.Handler) stats.Handler { return spanEventFilter{h} }

type spanEventFilter struct{ stats.Handler }

func (f spanEventFilter) HandleRPC(ctx context.Context, rs stats.RPCStats) {
	switch rs.(type) {
	case *stats.Begin, *stats.InHeader, *stats.OutHeader, *stats.End:
		f.Handler.HandleRPC(ctx, rs)
	}
}
