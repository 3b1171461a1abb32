package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// RemoveImage removes an image.
func (s *Server) RemoveImage(ctx context.Context, req *runtimeapi.RemoveImageRequest) (*runtimeapi.RemoveImageResponse, error) {
	s.annotate(ctx, req)
	if err := validateImageSpec(req.GetImage()); err != nil {
		return nil, err
	}
	return s.backend.RemoveImage(ctx, req)
}
