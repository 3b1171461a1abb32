package forward

// This file forwards the runtime-wide RPCs: version, status,
// configuration and the container event stream.

import (
	"context"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Version forwards Version to the runtime.
func (b *Backend) Version(ctx context.Context, req *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	return unary(ctx, b, req, b.runtime.Version)
}

// Status forwards Status to the runtime.
func (b *Backend) Status(ctx context.Context, req *runtimeapi.StatusRequest) (*runtimeapi.StatusResponse, error) {
	return unary(ctx, b, req, b.runtime.Status)
}

// UpdateRuntimeConfig forwards UpdateRuntimeConfig to the runtime.
func (b *Backend) UpdateRuntimeConfig(ctx context.Context, req *runtimeapi.UpdateRuntimeConfigRequest) (*runtimeapi.UpdateRuntimeConfigResponse, error) {
	return unary(ctx, b, req, b.runtime.UpdateRuntimeConfig)
}

// RuntimeConfig forwards RuntimeConfig to the runtime.
func (b *Backend) RuntimeConfig(ctx context.Context, req *runtimeapi.RuntimeConfigRequest) (*runtimeapi.RuntimeConfigResponse, error) {
	return unary(ctx, b, req, b.runtime.RuntimeConfig)
}

// GetContainerEvents relays the runtime's GetContainerEvents stream.
func (b *Backend) GetContainerEvents(req *runtimeapi.GetEventsRequest, stream grpc.ServerStreamingServer[runtimeapi.ContainerEventResponse]) error {
	return relay(b, req, stream, b.runtime.GetContainerEvents)
}
