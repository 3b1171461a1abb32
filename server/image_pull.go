package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// PullImage pulls an image. Its span gets the image name and, when the
// kubelet sends the sandbox config along, the pod. The request's AuthConfig
// (username, password, auth, identity and registry tokens) is passed to the
// backend and recorded nowhere.
func (s *Server) PullImage(ctx context.Context, req *runtimeapi.PullImageRequest) (*runtimeapi.PullImageResponse, error) {
	s.annotate(ctx, req)
	if err := validateImageSpec(req.GetImage()); err != nil {
		return nil, err
	}
	return s.backend.PullImage(ctx, req)
}
