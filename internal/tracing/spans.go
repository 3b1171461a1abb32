package tracing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	grpccodes "google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// AttrGRPCStatusCode is the attribute RecordError sets: the numeric gRPC
// status code of the failure (semantic conventions: rpc.grpc.status_code).
const AttrGRPCStatusCode = attribute.Key("rpc.grpc.status_code")

// Tracer starts a component's inner spans under its instrumentation scope.
// Make one per package, named after the package path, and keep it in a
// package-level variable: the scope tells back-ends which code made a span,
// so it is the component's, never the kit's.
//
//	var tracer = tracing.NewTracer("github.com/example/kvstore/store")
//
// A Tracer holds no provider: each span comes from its parent's provider
// (see Start). The zero value starts spans under an empty scope name; use
// NewTracer. A Tracer is safe for concurrent use.
type Tracer struct{ scope string }

// NewTracer returns a Tracer for the instrumentation scope named scope.
func NewTracer(scope string) Tracer { return Tracer{scope: scope} }

// Scope returns the instrumentation scope name.
func (t Tracer) Scope() string { return t.scope }

// Start starts an inner span called name as a child of the span in ctx and
// returns the context that holds it. Name it with a stable dotted constant
// (crio.image.pull), never from a Go symbol.
//
// Start takes the tracer from the parent span's own provider rather than from
// a global: when the parent is a no-op (tracing off, or no RPC span) the inner
// span is a no-op too, at the cost of an interface call, and when tracing is
// reloaded the inner spans follow the RPC span to the new provider. Callers
// end the span with defer span.End() on the next line.
//
// Guideline step 4: inner spans (enhancements/distributed-tracing-with-opentelemetry.md).
func (t Tracer) Start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		// Nothing to attach to: hand back the parent itself, which is already a
		// non-recording span carrying the right (possibly remote) context.
		return ctx, parent
	}
	return parent.TracerProvider().Tracer(t.scope).Start(ctx, name, trace.WithAttributes(attrs...))
}

// RecordError marks span as failed with err: status Error with err's message,
// an exception event, and the gRPC status code as rpc.grpc.status_code. A nil
// err leaves the span untouched, so success keeps the status Unset.
func RecordError(span trace.Span, err error) {
	if err == nil || !span.IsRecording() {
		return
	}
	st, _ := status.FromError(err)
	span.SetAttributes(AttrGRPCStatusCode.Int(int(st.Code())))
	span.RecordError(err)
	span.SetStatus(codes.Error, st.Message())
}

// Recording returns the span in ctx and whether it records. Call sites use it
// to skip building attributes that nobody will keep.
func Recording(ctx context.Context) (trace.Span, bool) {
	span := trace.SpanFromContext(ctx)
	return span, span.IsRecording()
}

// RecordRPCError records err on the server span of an RPC the way the
// OpenTelemetry RPC semantic conventions ask: the code as
// rpc.grpc.status_code and an exception event always, but the span status
// Error only for codes that mean the server failed (Unknown,
// DeadlineExceeded, Unimplemented, Internal, Unavailable, DataLoss), the
// same set otelgrpc uses, so a NotFound from a polling client does not paint
// traces red. Use RecordError for inner spans, where any failure is one.
//
// Guideline step 5: error recording (enhancements/distributed-tracing-with-opentelemetry.md).
func RecordRPCError(span trace.Span, err error) {
	if err == nil || !span.IsRecording() {
		return
	}
	st, _ := status.FromError(err)
	span.SetAttributes(AttrGRPCStatusCode.Int(int(st.Code())))
	span.RecordError(err)
	if serverFault(st.Code()) {
		span.SetStatus(codes.Error, st.Message())
	}
}

func serverFault(c grpccodes.Code) bool {
	switch c {
	case grpccodes.Unknown, grpccodes.DeadlineExceeded, grpccodes.Unimplemented,
		grpccodes.Internal, grpccodes.Unavailable, grpccodes.DataLoss:
		return true
	}
	return false
}
