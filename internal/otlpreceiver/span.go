package otlpreceiver

import (
	"maps"
	"slices"
	"time"
)

// Span is one received span, flattened for easy assertions and rendering.
type Span struct {
	// TraceID, SpanID and ParentSpanID are lower-case hex. ParentSpanID is
	// empty for a root span.
	TraceID, SpanID, ParentSpanID string
	// Name is the span name as exported.
	Name string
	// Kind is one of "SERVER", "CLIENT", "INTERNAL", "PRODUCER", "CONSUMER",
	// or "UNSPECIFIED" when the exporter did not say.
	Kind string
	// Service is the resource attribute service.name, empty when absent.
	Service string
	// Scope is the instrumentation scope name.
	Scope string
	// Start and End are the span's start and end times.
	Start, End time.Time
	// Attributes holds the span attributes, every value rendered as a string:
	// strings as they are, numbers and booleans as strconv prints them, bytes
	// in hex, arrays as [a,b] and key-value lists as {k=v,k2=v2}.
	Attributes map[string]string
	// Resource holds the resource attributes, rendered the same way.
	Resource map[string]string
	// StatusCode is "UNSET", "OK" or "ERROR".
	StatusCode string
	// StatusMessage is the status description, set only with "ERROR".
	StatusMessage string
	// Events are the span events in the order they were recorded.
	Events []Event
	// Links are the span's links to other spans, in the order recorded:
	// how a span that starts a new trace (an API server request from an
	// untrusted client, say) names the remote span that caused it.
	Links []Link
}

// Link is a span link.
type Link struct {
	// TraceID and SpanID identify the linked span, lower-case hex.
	TraceID, SpanID string
	// Attributes holds the link attributes rendered as strings.
	Attributes map[string]string
}

// Event is one span event.
type Event struct {
	// Name is the event name ("exception" for recorded errors).
	Name string
	// Time is when the event happened.
	Time time.Time
	// Attributes holds the event attributes rendered as strings.
	Attributes map[string]string
}

// Duration returns End minus Start, or zero when End is before Start.
func (s Span) Duration() time.Duration {
	if d := s.End.Sub(s.Start); d > 0 {
		return d
	}
	return 0
}

// IsError reports whether the span's status is ERROR.
func (s Span) IsError() bool { return s.StatusCode == StatusError }

// Status codes as Span.StatusCode spells them.
const (
	StatusUnset = "UNSET"
	StatusOK    = "OK"
	StatusError = "ERROR"
)

// clone returns a copy of s that shares no map or slice with it.
func (s Span) clone() Span {
	s.Attributes = maps.Clone(s.Attributes)
	s.Resource = maps.Clone(s.Resource)
	s.Events = slices.Clone(s.Events)
	for i := range s.Events {
		s.Events[i].Attributes = maps.Clone(s.Events[i].Attributes)
	}
	s.Links = slices.Clone(s.Links)
	for i := range s.Links {
		s.Links[i].Attributes = maps.Clone(s.Links[i].Attributes)
	}
	return s
}
