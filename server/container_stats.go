package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// ContainerStats returns the resource usage of a container.
func (s *Server) ContainerStats(ctx context.Context, req *runtimeapi.ContainerStatsRequest) (*runtimeapi.ContainerStatsResponse, error) {
	s.annotate(ctx, req)
	if err := validateContainerID(req.GetContainerId()); err != nil {
		return nil, err
	}
	return s.backend.ContainerStats(ctx, req)
}
