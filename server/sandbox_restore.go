package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// RestorePod restores a pod sandbox from a checkpoint. Requests are not
// validated here: the call is experimental and runtimes that lack it answer
// Unimplemented whatever the request holds.
func (s *Server) RestorePod(ctx context.Context, req *runtimeapi.RestorePodRequest) (*runtimeapi.RestorePodResponse, error) {
	s.annotate(ctx, req)
	return s.backend.RestorePod(ctx, req)
}
