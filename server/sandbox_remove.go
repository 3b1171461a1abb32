package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// RemovePodSandbox removes a pod sandbox and its containers. Once the
// backend has removed it, the index forgets the sandbox and its containers.
func (s *Server) RemovePodSandbox(ctx context.Context, req *runtimeapi.RemovePodSandboxRequest) (*runtimeapi.RemovePodSandboxResponse, error) {
	s.annotate(ctx, req)
	if err := validateSandboxID(req.GetPodSandboxId()); err != nil {
		return nil, err
	}
	resp, err := s.backend.RemovePodSandbox(ctx, req)
	if err != nil {
		return nil, err
	}
	s.observe(ctx, req, resp)
	return resp, nil
}
