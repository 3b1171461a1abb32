package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// StopPodSandbox stops every container of a pod sandbox and reclaims its network.
func (s *Server) StopPodSandbox(ctx context.Context, req *runtimeapi.StopPodSandboxRequest) (*runtimeapi.StopPodSandboxResponse, error) {
	s.annotate(ctx, req)
	if err := validateSandboxID(req.GetPodSandboxId()); err != nil {
		return nil, err
	}
	return s.backend.StopPodSandbox(ctx, req)
}
