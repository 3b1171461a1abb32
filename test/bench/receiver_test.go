package bench

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
)

// countingReceiver is an OTLP/gRPC trace receiver that only counts what it
// gets, optionally taking a fixed time per export to play a collector that
// cannot keep up. internal/otlpreceiver keeps and converts every span, right
// for checking traces but itself the bottleneck when measuring how many
// spans per second the exporter can push.
type countingReceiver struct {
	collectorpb.UnimplementedTraceServiceServer
	addr    string
	delay   time.Duration
	spans   atomic.Int64
	exports atomic.Int64
}

// startCountingReceiver serves on a free loopback port until tb ends. Each
// export takes at least delay.
func startCountingReceiver(tb testing.TB, delay time.Duration) *countingReceiver {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("counting receiver: %v", err)
	}
	r := &countingReceiver{addr: lis.Addr().String(), delay: delay}
	g := grpc.NewServer()
	collectorpb.RegisterTraceServiceServer(g, r)
	done := make(chan struct{})
	go func() { defer close(done); _ = g.Serve(lis) }()
	tb.Cleanup(func() { g.Stop(); <-done })
	return r
}

// Export counts the spans of one export after the configured delay.
func (r *countingReceiver) Export(ctx context.Context, req *collectorpb.ExportTraceServiceRequest) (*collectorpb.ExportTraceServiceResponse, error) {
	if r.delay > 0 {
		t := time.NewTimer(r.delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
	var n int64
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			n += int64(len(ss.GetSpans()))
		}
	}
	r.spans.Add(n)
	r.exports.Add(1)
	return &collectorpb.ExportTraceServiceResponse{}, nil
}
