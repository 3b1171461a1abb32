package otlpreceiver_test

import (
	"slices"
	"testing"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// TestAttributeRendering sends hand-built OTLP requests over gRPC and checks
// how each attribute value type, id and status is rendered.
func TestAttributeRendering(t *testing.T) {
	str := func(v string) *commonpb.AnyValue {
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}
	}
	tests := []struct {
		name  string
		value *commonpb.AnyValue
		want  string
	}{
		{name: "string", value: str("a<b>&\"c'"), want: "a<b>&\"c'"},
		{name: "bool", value: &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: true}}, want: "true"},
		{name: "int", value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: -42}}, want: "-42"},
		{name: "double", value: &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: 0.25}}, want: "0.25"},
		{name: "bytes", value: &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: []byte{0xde, 0xad}}}, want: "dead"},
		{name: "array", value: &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{
			Values: []*commonpb.AnyValue{str("x"), str("y")},
		}}}, want: "[x,y]"},
		{name: "kvlist", value: &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{
			Values: []*commonpb.KeyValue{{Key: "k", Value: str("v")}},
		}}}, want: "{k=v}"},
		{name: "empty value", value: nil, want: ""},
	}
	r := startReceiver(t)
	conn, err := grpc.NewClient(r.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	client := collectorpb.NewTraceServiceClient(conn)
	start := time.Unix(1700000000, 5)

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.Reset()
			_, err := client.Export(t.Context(), &collectorpb.ExportTraceServiceRequest{
				ResourceSpans: []*tracepb.ResourceSpans{{
					Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{
						{Key: "service.name", Value: str("raw")},
						{Key: "host.name", Value: tc.value},
					}},
					ScopeSpans: []*tracepb.ScopeSpans{{
						Scope: &commonpb.InstrumentationScope{Name: "raw-scope"},
						Spans: []*tracepb.Span{{
							TraceId:           []byte{0xAB, 15: 1},
							SpanId:            []byte{0xCD, 7: 2},
							ParentSpanId:      make([]byte, 8), // all zero: no parent
							Name:              "raw span",
							StartTimeUnixNano: uint64(start.UnixNano()),
							EndTimeUnixNano:   uint64(start.Add(time.Millisecond).UnixNano()),
							Attributes:        []*commonpb.KeyValue{{Key: "v", Value: tc.value}},
							Status:            &tracepb.Status{Code: tracepb.Status_STATUS_CODE_OK},
						}},
					}},
				}},
			})
			if err != nil {
				t.Fatalf("Export: %v", err)
			}
			got := only(t, r.Spans(), "raw span")
			if got.Attributes["v"] != tc.want || got.Resource["host.name"] != tc.want {
				t.Errorf("rendered %q (resource %q), want %q", got.Attributes["v"], got.Resource["host.name"], tc.want)
			}
			if got.TraceID != "ab000000000000000000000000000001" || got.SpanID != "cd00000000000002" || got.ParentSpanID != "" {
				t.Errorf("ids = %q/%q/%q", got.TraceID, got.SpanID, got.ParentSpanID)
			}
			if got.Service != "raw" || got.Scope != "raw-scope" || got.Kind != "UNSPECIFIED" || got.StatusCode != "OK" {
				t.Errorf("service/scope/kind/status = %q/%q/%q/%q", got.Service, got.Scope, got.Kind, got.StatusCode)
			}
			if !got.Start.Equal(start) || got.Duration() != time.Millisecond {
				t.Errorf("start %v duration %v, want %v and 1ms", got.Start, got.Duration(), start)
			}
		})
	}
}

func TestQueries(t *testing.T) {
	spans := []otlpreceiver.Span{
		{TraceID: "aa", SpanID: "1", Name: "root"},
		{TraceID: "aa", SpanID: "2", ParentSpanID: "1", Name: "child"},
		{TraceID: "aa", SpanID: "3", ParentSpanID: "1", Name: "child"},
		{TraceID: "bb", SpanID: "4", ParentSpanID: "1", Name: "other-trace"},
		{TraceID: "aa", SpanID: "5", ParentSpanID: "2", Name: "grandchild"},
	}
	tests := []struct {
		name string
		got  []otlpreceiver.Span
		want []string
	}{
		{name: "Trace keeps order, ignores case", got: otlpreceiver.Trace(spans, "AA"), want: []string{"root", "child", "child", "grandchild"}},
		{name: "Trace of unknown id", got: otlpreceiver.Trace(spans, "cc"), want: []string{}},
		{name: "ByName finds all", got: otlpreceiver.ByName(spans, "child"), want: []string{"child", "child"}},
		{name: "Children stay in the trace", got: otlpreceiver.Children(spans, spans[0]), want: []string{"child", "child"}},
		{name: "Children of a leaf", got: otlpreceiver.Children(spans, spans[4]), want: []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := names(tc.got); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestLinks: span links arrive with their ids and attributes, and Spans
// hands out copies the caller may change.
func TestLinks(t *testing.T) {
	r := startReceiver(t)
	conn, err := grpc.NewClient(r.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_, err = collectorpb.NewTraceServiceClient(conn).Export(t.Context(), &collectorpb.ExportTraceServiceRequest{
		ResourceSpans: []*tracepb.ResourceSpans{{ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{
			TraceId: []byte{0x01, 15: 1},
			SpanId:  []byte{0x02, 7: 2},
			Name:    "linked",
			Links: []*tracepb.Span_Link{{
				TraceId:    []byte{0xEE, 15: 3},
				SpanId:     []byte{0xFF, 7: 4},
				Attributes: []*commonpb.KeyValue{{Key: "why", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "public endpoint"}}}},
			}},
		}}}}}},
	})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	got := only(t, r.Spans(), "linked")
	want := otlpreceiver.Link{TraceID: "ee000000000000000000000000000003", SpanID: "ff00000000000004", Attributes: map[string]string{"why": "public endpoint"}}
	if len(got.Links) != 1 || got.Links[0].TraceID != want.TraceID || got.Links[0].SpanID != want.SpanID || got.Links[0].Attributes["why"] != "public endpoint" {
		t.Fatalf("Links = %+v, want [%+v]", got.Links, want)
	}
	got.Links[0].Attributes["why"] = "changed"
	if again := only(t, r.Spans(), "linked"); again.Links[0].Attributes["why"] != "public endpoint" {
		t.Error("changing a returned link's attributes changed the receiver's copy")
	}
}

// TestGzip: exports compressed with gzip, as the collector's OTLP exporter
// sends them by default, arrive.
func TestGzip(t *testing.T) {
	r := startReceiver(t)
	conn, err := grpc.NewClient(r.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name)))
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_, err = collectorpb.NewTraceServiceClient(conn).Export(t.Context(), &collectorpb.ExportTraceServiceRequest{
		ResourceSpans: []*tracepb.ResourceSpans{{ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{
			TraceId: []byte{0x01, 15: 1}, SpanId: []byte{0x02, 7: 2}, Name: "zipped",
		}}}}}},
	})
	if err != nil {
		t.Fatalf("Export with gzip: %v", err)
	}
	only(t, r.Spans(), "zipped")
}
