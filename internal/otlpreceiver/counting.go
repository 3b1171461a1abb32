package otlpreceiver

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
)

// Counter is an OTLP/gRPC trace receiver that only counts the spans it is
// sent, optionally taking a fixed time per export to play a collector that
// cannot keep up. Receiver keeps and converts every span, right for
// checking traces but itself the bottleneck when measuring how many spans
// per second an exporter can push; a Counter's memory stays flat.
type Counter struct {
	collectorpb.UnimplementedTraceServiceServer
	lis   net.Listener
	srv   *grpc.Server
	done  chan struct{}
	delay time.Duration
	spans atomic.Int64
}

// StartCounting serves OTLP/gRPC on addr ("127.0.0.1:0" for a free port)
// until Stop. Each export takes at least delay.
func StartCounting(addr string, delay time.Duration) (*Counter, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("counting receiver: listening on %q: %w", addr, err)
	}
	c := &Counter{lis: lis, srv: grpc.NewServer(), done: make(chan struct{}), delay: delay}
	collectorpb.RegisterTraceServiceServer(c.srv, c)
	go func() { defer close(c.done); _ = c.srv.Serve(lis) }()
	return c, nil
}

// Addr returns the host:port the receiver is bound to.
func (c *Counter) Addr() string { return c.lis.Addr().String() }

// Spans returns how many spans have arrived.
func (c *Counter) Spans() int64 { return c.spans.Load() }

// Stop stops serving, cutting exports in flight.
func (c *Counter) Stop() {
	c.srv.Stop()
	<-c.done
}

// Export counts the spans of one export after the configured delay.
func (c *Counter) Export(ctx context.Context, req *collectorpb.ExportTraceServiceRequest) (*collectorpb.ExportTraceServiceResponse, error) {
	if c.delay > 0 {
		t := time.NewTimer(c.delay)
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
	c.spans.Add(n)
	return &collectorpb.ExportTraceServiceResponse{}, nil
}
