package otlpreceiver

import (
	"context"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// traceService implements the OTLP TraceService for a Receiver.
type traceService struct {
	collectorpb.UnimplementedTraceServiceServer
	r *Receiver
}

var _ collectorpb.TraceServiceServer = (*traceService)(nil)

// Export counts the request and keeps its spans, or fails it with the code
// set by SetFailing.
func (s *traceService) Export(_ context.Context, req *collectorpb.ExportTraceServiceRequest) (*collectorpb.ExportTraceServiceResponse, error) {
	if err := s.accept(req); err != nil {
		return nil, err
	}
	return &collectorpb.ExportTraceServiceResponse{}, nil
}

// accept is Export for both transports: it counts the request and keeps
// its spans, or returns the status error SetFailing asked for.
func (s *traceService) accept(req *collectorpb.ExportTraceServiceRequest) error {
	s.r.mu.Lock()
	s.r.requests++
	failing := s.r.failing
	s.r.mu.Unlock()
	if failing != codes.OK {
		return status.Errorf(failing, "otlp receiver: export refused (failure injected by test: %s)", failing)
	}
	s.r.record(flatten(req))
	return nil
}
