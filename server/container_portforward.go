package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// PortForward prepares a streaming port forward into a pod sandbox and
// returns its URL.
func (s *Server) PortForward(ctx context.Context, req *runtimeapi.PortForwardRequest) (*runtimeapi.PortForwardResponse, error) {
	s.annotate(ctx, req)
	if err := validateSandboxID(req.GetPodSandboxId()); err != nil {
		return nil, err
	}
	return s.backend.PortForward(ctx, req)
}
