package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// RemoveContainer removes a container. Once the backend has removed it, the
// index forgets it.
func (s *Server) RemoveContainer(ctx context.Context, req *runtimeapi.RemoveContainerRequest) (*runtimeapi.RemoveContainerResponse, error) {
	s.annotate(ctx, req)
	if err := validateContainerID(req.GetContainerId()); err != nil {
		return nil, err
	}
	resp, err := s.backend.RemoveContainer(ctx, req)
	if err != nil {
		return nil, err
	}
	s.observe(ctx, req, resp)
	return resp, nil
}
