package bench

import (
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/trace"
	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
)

// traceWatch is an OTLP/gRPC trace receiver for BenchmarkCrio: it counts
// every span it gets and keeps the kind and name of the spans of the traces
// it was told to watch, so the benchmark can check how many spans one call
// leaves (CRI-O's own tracing two or more, the kit one) without keeping or
// converting the spans of the timed loops.
type traceWatch struct {
	collectorpb.UnimplementedTraceServiceServer
	addr  string
	spans atomic.Int64

	mu      sync.Mutex
	watched map[trace.TraceID][]string // "KIND name" of each span, in arrival order
}

// startTraceWatch serves on a free loopback port until tb ends.
func startTraceWatch(tb testing.TB) *traceWatch {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("OTLP receiver: %v", err)
	}
	r := &traceWatch{addr: lis.Addr().String(), watched: map[trace.TraceID][]string{}}
	g := grpc.NewServer()
	collectorpb.RegisterTraceServiceServer(g, r)
	done := make(chan struct{})
	go func() { defer close(done); _ = g.Serve(lis) }()
	tb.Cleanup(func() { g.Stop(); <-done })
	return r
}

// watch starts keeping the spans of trace id.
func (r *traceWatch) watch(id trace.TraceID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.watched[id]; !ok {
		r.watched[id] = []string{}
	}
}

// of returns the kinds and names of the spans of watched trace id so far.
func (r *traceWatch) of(id trace.TraceID) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.watched[id]...)
}

// Export counts the spans of one export and keeps those of watched traces.
func (r *traceWatch) Export(_ context.Context, req *collectorpb.ExportTraceServiceRequest) (*collectorpb.ExportTraceServiceResponse, error) {
	var n int64
	r.mu.Lock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				n++
				if len(sp.GetTraceId()) != len(trace.TraceID{}) {
					continue // malformed; not one of the watched traces
				}
				id := trace.TraceID(sp.GetTraceId())
				if got, ok := r.watched[id]; ok {
					kind := strings.TrimPrefix(sp.GetKind().String(), "SPAN_KIND_")
					r.watched[id] = append(got, kind+" "+sp.GetName())
				}
			}
		}
	}
	r.mu.Unlock()
	r.spans.Add(n)
	return &collectorpb.ExportTraceServiceResponse{}, nil
}
