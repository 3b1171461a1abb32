package forward

import (
	"context"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"
)

// Guideline step 6: onward propagation (enhancements/distributed-tracing-with-opentelemetry.md).
// guideline:begin propagate

// propagatedKeys are the only incoming metadata keys ever copied onto a
// downstream call: the W3C Trace Context and Baggage headers. Copying by
// allow-list keeps credentials and other caller metadata from reaching the
// runtime.
var propagatedKeys = []string{"traceparent", "tracestate", "baggage"}

// outgoing returns the context for the downstream call. When ctx holds a
// valid span context, tracing is on and otelgrpc's client handler injects
// the context of its own CLIENT span, so nothing is copied (copying would
// send two traceparents). Otherwise the caller's trace headers are passed
// through untouched so the runtime's spans still join the caller's trace.
func outgoing(ctx context.Context) context.Context {
	if trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	// Three key lookups, not metadata.FromIncomingContext, which copies
	// every header of the call.
	var kv []string
	for _, k := range propagatedKeys {
		for _, v := range metadata.ValueFromIncomingContext(ctx, k) {
			kv = append(kv, k, v)
		}
	}
	if len(kv) == 0 {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

// guideline:end propagate
