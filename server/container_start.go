package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// StartContainer starts a created container.
func (s *Server) StartContainer(ctx context.Context, req *runtimeapi.StartContainerRequest) (*runtimeapi.StartContainerResponse, error) {
	s.annotate(ctx, req)
	if err := validateContainerID(req.GetContainerId()); err != nil {
		return nil, err
	}
	return s.backend.StartContainer(ctx, req)
}
