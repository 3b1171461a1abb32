package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Guideline step 4: a handler annotates the RPC's span (enhancements/distributed-tracing-with-opentelemetry.md).
// guideline:begin thin-handler

// RunPodSandbox creates and starts a pod sandbox. Its span gets the pod's
// name, namespace, uid and runtime handler, then the new sandbox id; the
// index keeps them so later calls that carry only the id are named too.
func (s *Server) RunPodSandbox(ctx context.Context, req *runtimeapi.RunPodSandboxRequest) (*runtimeapi.RunPodSandboxResponse, error) {
	s.annotate(ctx, req)
	if err := validateRunPodSandbox(req); err != nil {
		return nil, err
	}
	resp, err := s.backend.RunPodSandbox(ctx, req)
	if err != nil {
		return nil, err
	}
	s.observe(ctx, req, resp)
	return resp, nil
}

// guideline:end thin-handler
