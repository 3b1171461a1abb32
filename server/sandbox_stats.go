package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// PodSandboxStats returns the resource usage of a pod sandbox.
func (s *Server) PodSandboxStats(ctx context.Context, req *runtimeapi.PodSandboxStatsRequest) (*runtimeapi.PodSandboxStatsResponse, error) {
	s.annotate(ctx, req)
	if err := validateSandboxID(req.GetPodSandboxId()); err != nil {
		return nil, err
	}
	return s.backend.PodSandboxStats(ctx, req)
}
