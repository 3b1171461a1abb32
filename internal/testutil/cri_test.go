package testutil

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"
)

// TestSampledParent checks that the traceparent SampledParent adds is one a
// W3C TraceContext propagator accepts as a sampled remote parent, with the
// trace id it returns, and that each call starts a new trace.
func TestSampledParent(t *testing.T) {
	extract := func(ctx context.Context) trace.SpanContext {
		md, _ := metadata.FromOutgoingContext(ctx)
		carrier := propagation.MapCarrier{}
		for k, v := range md {
			carrier[k] = v[0]
		}
		return trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), carrier))
	}
	ctx1, id1 := SampledParent(t.Context())
	ctx2, id2 := SampledParent(t.Context())
	for _, c := range []struct {
		ctx context.Context
		id  string
	}{{ctx1, id1}, {ctx2, id2}} {
		sc := extract(c.ctx)
		if !sc.IsValid() || !sc.IsRemote() || !sc.IsSampled() {
			t.Errorf("extracted %+v: want a valid, remote, sampled parent", sc)
		}
		if got := sc.TraceID().String(); got != c.id {
			t.Errorf("trace id %s, SampledParent returned %s", got, c.id)
		}
	}
	if id1 == id2 {
		t.Errorf("two calls share trace id %s", id1)
	}
}
