package forward

// This file forwards the pod sandbox lifecycle RPCs.

import (
	"context"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// RunPodSandbox forwards RunPodSandbox to the runtime.
func (b *Backend) RunPodSandbox(ctx context.Context, req *runtimeapi.RunPodSandboxRequest) (*runtimeapi.RunPodSandboxResponse, error) {
	return unary(ctx, b, req, b.runtime.RunPodSandbox)
}

// StopPodSandbox forwards StopPodSandbox to the runtime.
func (b *Backend) StopPodSandbox(ctx context.Context, req *runtimeapi.StopPodSandboxRequest) (*runtimeapi.StopPodSandboxResponse, error) {
	return unary(ctx, b, req, b.runtime.StopPodSandbox)
}

// RemovePodSandbox forwards RemovePodSandbox to the runtime.
func (b *Backend) RemovePodSandbox(ctx context.Context, req *runtimeapi.RemovePodSandboxRequest) (*runtimeapi.RemovePodSandboxResponse, error) {
	return unary(ctx, b, req, b.runtime.RemovePodSandbox)
}

// PodSandboxStatus forwards PodSandboxStatus to the runtime.
func (b *Backend) PodSandboxStatus(ctx context.Context, req *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	return unary(ctx, b, req, b.runtime.PodSandboxStatus)
}

// ListPodSandbox forwards ListPodSandbox to the runtime.
func (b *Backend) ListPodSandbox(ctx context.Context, req *runtimeapi.ListPodSandboxRequest) (*runtimeapi.ListPodSandboxResponse, error) {
	return unary(ctx, b, req, b.runtime.ListPodSandbox)
}

// StreamPodSandboxes relays the runtime's StreamPodSandboxes stream.
func (b *Backend) StreamPodSandboxes(req *runtimeapi.StreamPodSandboxesRequest, stream grpc.ServerStreamingServer[runtimeapi.StreamPodSandboxesResponse]) error {
	return relay(b, req, stream, b.runtime.StreamPodSandboxes)
}

// UpdatePodSandboxResources forwards UpdatePodSandboxResources to the runtime.
func (b *Backend) UpdatePodSandboxResources(ctx context.Context, req *runtimeapi.UpdatePodSandboxResourcesRequest) (*runtimeapi.UpdatePodSandboxResourcesResponse, error) {
	return unary(ctx, b, req, b.runtime.UpdatePodSandboxResources)
}

// CheckpointPod forwards CheckpointPod to the runtime.
func (b *Backend) CheckpointPod(ctx context.Context, req *runtimeapi.CheckpointPodRequest) (*runtimeapi.CheckpointPodResponse, error) {
	return unary(ctx, b, req, b.runtime.CheckpointPod)
}

// RestorePod forwards RestorePod to the runtime.
func (b *Backend) RestorePod(ctx context.Context, req *runtimeapi.RestorePodRequest) (*runtimeapi.RestorePodResponse, error) {
	return unary(ctx, b, req, b.runtime.RestorePod)
}
