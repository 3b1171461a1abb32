package server

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// ExecSync runs a command in a container and returns its output. The command
// and its output are never recorded.
func (s *Server) ExecSync(ctx context.Context, req *runtimeapi.ExecSyncRequest) (*runtimeapi.ExecSyncResponse, error) {
	s.annotate(ctx, req)
	if err := validateContainerID(req.GetContainerId()); err != nil {
		return nil, err
	}
	return s.backend.ExecSync(ctx, req)
}
