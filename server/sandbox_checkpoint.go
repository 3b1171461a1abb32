package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// CheckpointPod checkpoints a pod sandbox and its containers. Requests are
// not validated here: the call is experimental and runtimes that lack it
// answer Unimplemented whatever the request holds.
func (s *Server) CheckpointPod(ctx context.Context, req *runtimeapi.CheckpointPodRequest) (*runtimeapi.CheckpointPodResponse, error) {
	s.annotate(ctx, req)
	return s.backend.CheckpointPod(ctx, req)
}
