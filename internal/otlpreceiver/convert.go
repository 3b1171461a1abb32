package otlpreceiver

import (
	"encoding/hex"
	"maps"
	"strconv"
	"strings"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// serviceNameKey is the resource attribute that names the service.
const serviceNameKey = "service.name"

// flatten turns one export request into Spans, in the order they appear in
// the request.
func flatten(req *collectorpb.ExportTraceServiceRequest) []Span {
	var out []Span
	for _, rs := range req.GetResourceSpans() {
		res := attrMap(rs.GetResource().GetAttributes())
		service := res[serviceNameKey]
		for _, ss := range rs.GetScopeSpans() {
			scope := ss.GetScope().GetName()
			for _, s := range ss.GetSpans() {
				out = append(out, convertSpan(s, service, scope, res))
			}
		}
	}
	return out
}

func convertSpan(s *tracepb.Span, service, scope string, res map[string]string) Span {
	sp := Span{
		TraceID:       hexID(s.GetTraceId()),
		SpanID:        hexID(s.GetSpanId()),
		ParentSpanID:  hexID(s.GetParentSpanId()),
		Name:          s.GetName(),
		Kind:          kindName(s.GetKind()),
		Service:       service,
		Scope:         scope,
		Start:         unixNano(s.GetStartTimeUnixNano()),
		End:           unixNano(s.GetEndTimeUnixNano()),
		Attributes:    attrMap(s.GetAttributes()),
		Resource:      maps.Clone(res),
		StatusCode:    statusName(s.GetStatus().GetCode()),
		StatusMessage: s.GetStatus().GetMessage(),
	}
	for _, e := range s.GetEvents() {
		sp.Events = append(sp.Events, Event{
			Name:       e.GetName(),
			Time:       unixNano(e.GetTimeUnixNano()),
			Attributes: attrMap(e.GetAttributes()),
		})
	}
	for _, l := range s.GetLinks() {
		sp.Links = append(sp.Links, Link{
			TraceID:    hexID(l.GetTraceId()),
			SpanID:     hexID(l.GetSpanId()),
			Attributes: attrMap(l.GetAttributes()),
		})
	}
	return sp
}

// hexID renders an id in lower-case hex; an absent or all-zero id (OTLP's
// "no parent") renders as "".
func hexID(b []byte) string {
	for _, c := range b {
		if c != 0 {
			return hex.EncodeToString(b)
		}
	}
	return ""
}

func unixNano(n uint64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	// Nanoseconds since 1970 fit an int64 until the year 2262.
	return time.Unix(0, int64(n))
}

func kindName(k tracepb.Span_SpanKind) string {
	switch k {
	case tracepb.Span_SPAN_KIND_SERVER:
		return "SERVER"
	case tracepb.Span_SPAN_KIND_CLIENT:
		return "CLIENT"
	case tracepb.Span_SPAN_KIND_INTERNAL:
		return "INTERNAL"
	case tracepb.Span_SPAN_KIND_PRODUCER:
		return "PRODUCER"
	case tracepb.Span_SPAN_KIND_CONSUMER:
		return "CONSUMER"
	}
	return "UNSPECIFIED"
}

func statusName(c tracepb.Status_StatusCode) string {
	switch c {
	case tracepb.Status_STATUS_CODE_OK:
		return StatusOK
	case tracepb.Status_STATUS_CODE_ERROR:
		return StatusError
	}
	return StatusUnset
}

func attrMap(kvs []*commonpb.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[kv.GetKey()] = valueString(kv.GetValue())
	}
	return m
}

// valueString renders an attribute value as a string: strings as they are,
// numbers and booleans as Go's strconv prints them, bytes in hex, arrays as
// [a,b] and key-value lists as {k=v,k2=v2}.
func valueString(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return strconv.FormatBool(x.BoolValue)
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *commonpb.AnyValue_DoubleValue:
		return strconv.FormatFloat(x.DoubleValue, 'g', -1, 64)
	case *commonpb.AnyValue_BytesValue:
		return hex.EncodeToString(x.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		parts := make([]string, 0, len(x.ArrayValue.GetValues()))
		for _, e := range x.ArrayValue.GetValues() {
			parts = append(parts, valueString(e))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case *commonpb.AnyValue_KvlistValue:
		parts := make([]string, 0, len(x.KvlistValue.GetValues()))
		for _, kv := range x.KvlistValue.GetValues() {
			parts = append(parts, kv.GetKey()+"="+valueString(kv.GetValue()))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return ""
}
