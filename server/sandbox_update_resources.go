package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// UpdatePodSandboxResources tells the runtime about new pod-level resources.
func (s *Server) UpdatePodSandboxResources(ctx context.Context, req *runtimeapi.UpdatePodSandboxResourcesRequest) (*runtimeapi.UpdatePodSandboxResourcesResponse, error) {
	s.annotate(ctx, req)
	if err := validateSandboxID(req.GetPodSandboxId()); err != nil {
		return nil, err
	}
	return s.backend.UpdatePodSandboxResources(ctx, req)
}
