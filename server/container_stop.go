package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// StopContainer stops a running container within the request's grace period.
func (s *Server) StopContainer(ctx context.Context, req *runtimeapi.StopContainerRequest) (*runtimeapi.StopContainerResponse, error) {
	s.annotate(ctx, req)
	if err := validateContainerID(req.GetContainerId()); err != nil {
		return nil, err
	}
	return s.backend.StopContainer(ctx, req)
}
