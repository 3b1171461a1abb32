package forward

// This file forwards the container lifecycle RPCs.

import (
	"context"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// CreateContainer forwards CreateContainer to the runtime.
func (b *Backend) CreateContainer(ctx context.Context, req *runtimeapi.CreateContainerRequest) (*runtimeapi.CreateContainerResponse, error) {
	return unary(ctx, b, req, b.runtime.CreateContainer)
}

// StartContainer forwards StartContainer to the runtime.
func (b *Backend) StartContainer(ctx context.Context, req *runtimeapi.StartContainerRequest) (*runtimeapi.StartContainerResponse, error) {
	return unary(ctx, b, req, b.runtime.StartContainer)
}

// StopContainer forwards StopContainer to the runtime.
func (b *Backend) StopContainer(ctx context.Context, req *runtimeapi.StopContainerRequest) (*runtimeapi.StopContainerResponse, error) {
	return unary(ctx, b, req, b.runtime.StopContainer)
}

// RemoveContainer forwards RemoveContainer to the runtime.
func (b *Backend) RemoveContainer(ctx context.Context, req *runtimeapi.RemoveContainerRequest) (*runtimeapi.RemoveContainerResponse, error) {
	return unary(ctx, b, req, b.runtime.RemoveContainer)
}

// ListContainers forwards ListContainers to the runtime.
func (b *Backend) ListContainers(ctx context.Context, req *runtimeapi.ListContainersRequest) (*runtimeapi.ListContainersResponse, error) {
	return unary(ctx, b, req, b.runtime.ListContainers)
}

// StreamContainers relays the runtime's StreamContainers stream.
func (b *Backend) StreamContainers(req *runtimeapi.StreamContainersRequest, stream grpc.ServerStreamingServer[runtimeapi.StreamContainersResponse]) error {
	return relay(b, req, stream, b.runtime.StreamContainers)
}

// ContainerStatus forwards ContainerStatus to the runtime.
func (b *Backend) ContainerStatus(ctx context.Context, req *runtimeapi.ContainerStatusRequest) (*runtimeapi.ContainerStatusResponse, error) {
	return unary(ctx, b, req, b.runtime.ContainerStatus)
}

// UpdateContainerResources forwards UpdateContainerResources to the runtime.
func (b *Backend) UpdateContainerResources(ctx context.Context, req *runtimeapi.UpdateContainerResourcesRequest) (*runtimeapi.UpdateContainerResourcesResponse, error) {
	return unary(ctx, b, req, b.runtime.UpdateContainerResources)
}

// ReopenContainerLog forwards ReopenContainerLog to the runtime.
func (b *Backend) ReopenContainerLog(ctx context.Context, req *runtimeapi.ReopenContainerLogRequest) (*runtimeapi.ReopenContainerLogResponse, error) {
	return unary(ctx, b, req, b.runtime.ReopenContainerLog)
}

// CheckpointContainer forwards CheckpointContainer to the runtime.
func (b *Backend) CheckpointContainer(ctx context.Context, req *runtimeapi.CheckpointContainerRequest) (*runtimeapi.CheckpointContainerResponse, error) {
	return unary(ctx, b, req, b.runtime.CheckpointContainer)
}
