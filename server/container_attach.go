package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Attach prepares a streaming attach to a container and returns its URL.
func (s *Server) Attach(ctx context.Context, req *runtimeapi.AttachRequest) (*runtimeapi.AttachResponse, error) {
	s.annotate(ctx, req)
	if err := validateContainerID(req.GetContainerId()); err != nil {
		return nil, err
	}
	return s.backend.Attach(ctx, req)
}
