package forward

// This file forwards the exec, attach and port-forward RPCs; the
// streaming URLs the runtime returns pass through unchanged, so kubelet
// talks to the runtime's streaming server directly.

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// ExecSync forwards ExecSync to the runtime.
func (b *Backend) ExecSync(ctx context.Context, req *runtimeapi.ExecSyncRequest) (*runtimeapi.ExecSyncResponse, error) {
	return unary(ctx, b, req, b.runtime.ExecSync)
}

// Exec forwards Exec to the runtime.
func (b *Backend) Exec(ctx context.Context, req *runtimeapi.ExecRequest) (*runtimeapi.ExecResponse, error) {
	return unary(ctx, b, req, b.runtime.Exec)
}

// Attach forwards Attach to the runtime.
func (b *Backend) Attach(ctx context.Context, req *runtimeapi.AttachRequest) (*runtimeapi.AttachResponse, error) {
	return unary(ctx, b, req, b.runtime.Attach)
}

// PortForward forwards PortForward to the runtime.
func (b *Backend) PortForward(ctx context.Context, req *runtimeapi.PortForwardRequest) (*runtimeapi.PortForwardResponse, error) {
	return unary(ctx, b, req, b.runtime.PortForward)
}
