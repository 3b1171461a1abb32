package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// CreateContainer creates a container in a pod sandbox. Its span gets the
// sandbox id, the pod (from the index, or from the request's sandbox config
// when the index does not know the sandbox), the container name and image,
// then the new container id. Env values, mounts, args and annotations are
// never recorded.
func (s *Server) CreateContainer(ctx context.Context, req *runtimeapi.CreateContainerRequest) (*runtimeapi.CreateContainerResponse, error) {
	s.annotate(ctx, req)
	if err := validateCreateContainer(req); err != nil {
		return nil, err
	}
	resp, err := s.backend.CreateContainer(ctx, req)
	if err != nil {
		return nil, err
	}
	s.observe(ctx, req, resp)
	return resp, nil
}
