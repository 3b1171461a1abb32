package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// PodSandboxStatus returns the state of a pod sandbox. The kubelet asks for
// it on every pod sync, so the answer also refills the index after a daemon
// restart: a sandbox the index did not know is learned from the status, and
// the span gets its pod.
func (s *Server) PodSandboxStatus(ctx context.Context, req *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	s.annotate(ctx, req)
	if err := validateSandboxID(req.GetPodSandboxId()); err != nil {
		return nil, err
	}
	resp, err := s.backend.PodSandboxStatus(ctx, req)
	if err != nil {
		return nil, err
	}
	s.observe(ctx, req, resp)
	return resp, nil
}
