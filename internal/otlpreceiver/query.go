package otlpreceiver

import (
	"slices"
	"strings"
)

// Trace returns the spans of spans that belong to traceID (compared without
// regard to case), in their original order.
func Trace(spans []Span, traceID string) []Span {
	return filter(spans, func(s Span) bool { return strings.EqualFold(s.TraceID, traceID) })
}

// ByName returns the spans of spans called name, in their original order.
func ByName(spans []Span, name string) []Span {
	return filter(spans, func(s Span) bool { return s.Name == name })
}

// Children returns the spans of spans whose parent is parent (same trace,
// ParentSpanID equal to parent's SpanID), in their original order.
func Children(spans []Span, parent Span) []Span {
	return filter(spans, func(s Span) bool {
		return s.TraceID == parent.TraceID && s.ParentSpanID != "" && s.ParentSpanID == parent.SpanID
	})
}

func filter(spans []Span, keep func(Span) bool) []Span {
	var out []Span
	for _, s := range spans {
		if keep(s) {
			out = append(out, s)
		}
	}
	return slices.Clip(out)
}
