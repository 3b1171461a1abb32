package otlpreceiver

import (
	"context"
	"testing"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// TestCounter sends real OTLP/gRPC exports and checks the counter adds up
// the spans of every scope and resource, and holds each export for delay.
func TestCounter(t *testing.T) {
	const delay = 50 * time.Millisecond
	c, err := StartCounting("127.0.0.1:0", delay)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	conn, err := grpc.NewClient(c.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := collectorpb.NewTraceServiceClient(conn)
	spans := func(n int) []*tracepb.Span { return make([]*tracepb.Span, n) }
	req := &collectorpb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{
		{ScopeSpans: []*tracepb.ScopeSpans{{Spans: spans(2)}, {Spans: spans(1)}}},
		{ScopeSpans: []*tracepb.ScopeSpans{{Spans: spans(4)}}},
	}}
	for range 2 {
		start := time.Now()
		if _, err := client.Export(context.Background(), req); err != nil {
			t.Fatalf("Export: %v", err)
		}
		if took := time.Since(start); took < delay {
			t.Errorf("an export took %s, want at least the delay %s", took, delay)
		}
	}
	if got := c.Spans(); got != 14 {
		t.Errorf("Spans() = %d after two exports of 7 spans, want 14", got)
	}
}
