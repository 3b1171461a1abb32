package server

import (
	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// GetContainerEvents streams container lifecycle events to the kubelet's
// evented PLEG. The stream lives as long as the kubelet, and so does its
// server span. The backend serves the stream itself.
func (s *Server) GetContainerEvents(req *runtimeapi.GetEventsRequest, stream grpc.ServerStreamingServer[runtimeapi.ContainerEventResponse]) error {
	return s.backend.GetContainerEvents(req, stream)
}
