package tracing

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// Log keys LogHandler adds.
const (
	LogKeyTraceID = "trace_id"
	LogKeySpanID  = "span_id"
)

// LogHandler wraps a slog.Handler so that every record logged with a
// context holding a valid span (logger.InfoContext(ctx, …)) carries trace_id
// and span_id: a log line can then be found from its trace and the other way
// round. Records without such a context pass through untouched.
//
// Guideline step 7: logs (enhancements/distributed-tracing-with-opentelemetry.md).
type LogHandler struct{ next slog.Handler }

var _ slog.Handler = LogHandler{}

// NewLogHandler returns a LogHandler around next.
func NewLogHandler(next slog.Handler) LogHandler { return LogHandler{next: next} }

// Enabled defers to the wrapped handler.
func (h LogHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle adds the trace ids, then hands the record on.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone()
		r.AddAttrs(slog.String(LogKeyTraceID, sc.TraceID().String()), slog.String(LogKeySpanID, sc.SpanID().String()))
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs wraps the wrapped handler's WithAttrs.
func (h LogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return LogHandler{next: h.next.WithAttrs(as)}
}

// WithGroup wraps the wrapped handler's WithGroup.
func (h LogHandler) WithGroup(name string) slog.Handler {
	return LogHandler{next: h.next.WithGroup(name)}
}
