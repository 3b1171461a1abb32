package tracing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
)

// AllowList is the set of attribute keys a component is willing to record.
// Anything not on it is dropped before it reaches a span, so a new request
// field that carries a secret can never leak by accident: recording is opt-in
// per key, not opt-out. The zero value allows nothing. An AllowList is
// immutable after NewAllowList and safe for concurrent use.
//
// Guideline step 4: attributes by allow-list (enhancements/distributed-tracing-with-opentelemetry.md).
type AllowList struct {
	keys map[attribute.Key]struct{}
}

// NewAllowList returns an AllowList that admits exactly keys.
func NewAllowList(keys ...attribute.Key) *AllowList {
	a := &AllowList{keys: make(map[attribute.Key]struct{}, len(keys))}
	for _, k := range keys {
		a.keys[k] = struct{}{}
	}
	return a
}

// Allows reports whether key may be recorded.
func (a *AllowList) Allows(key attribute.Key) bool {
	if a == nil {
		return false
	}
	_, ok := a.keys[key]
	return ok
}

// Filter returns the attributes of attrs whose keys are allowed and whose
// values are not empty strings. It filters in place and returns the prefix.
func (a *AllowList) Filter(attrs []attribute.KeyValue) []attribute.KeyValue {
	out := attrs[:0]
	for _, kv := range attrs {
		if !a.Allows(kv.Key) {
			continue
		}
		if kv.Value.Type() == attribute.STRING && kv.Value.AsString() == "" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Set records the allowed attributes of attrs on the span in ctx. It does
// nothing when that span is not recording.
func (a *AllowList) Set(ctx context.Context, attrs ...attribute.KeyValue) {
	span, ok := Recording(ctx)
	if !ok {
		return
	}
	if attrs = a.Filter(attrs); len(attrs) > 0 {
		span.SetAttributes(attrs...)
	}
}
