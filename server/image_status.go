package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// ImageStatus returns the status of an image, or an empty response when the
// image is not present.
func (s *Server) ImageStatus(ctx context.Context, req *runtimeapi.ImageStatusRequest) (*runtimeapi.ImageStatusResponse, error) {
	s.annotate(ctx, req)
	if err := validateImageSpec(req.GetImage()); err != nil {
		return nil, err
	}
	return s.backend.ImageStatus(ctx, req)
}
