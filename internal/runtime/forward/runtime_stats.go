package forward

// This file forwards the stats and metrics RPCs.

import (
	"context"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// ContainerStats forwards ContainerStats to the runtime.
func (b *Backend) ContainerStats(ctx context.Context, req *runtimeapi.ContainerStatsRequest) (*runtimeapi.ContainerStatsResponse, error) {
	return unary(ctx, b, req, b.runtime.ContainerStats)
}

// ListContainerStats forwards ListContainerStats to the runtime.
func (b *Backend) ListContainerStats(ctx context.Context, req *runtimeapi.ListContainerStatsRequest) (*runtimeapi.ListContainerStatsResponse, error) {
	return unary(ctx, b, req, b.runtime.ListContainerStats)
}

// StreamContainerStats relays the runtime's StreamContainerStats stream.
func (b *Backend) StreamContainerStats(req *runtimeapi.StreamContainerStatsRequest, stream grpc.ServerStreamingServer[runtimeapi.StreamContainerStatsResponse]) error {
	return relay(b, req, stream, b.runtime.StreamContainerStats)
}

// PodSandboxStats forwards PodSandboxStats to the runtime.
func (b *Backend) PodSandboxStats(ctx context.Context, req *runtimeapi.PodSandboxStatsRequest) (*runtimeapi.PodSandboxStatsResponse, error) {
	return unary(ctx, b, req, b.runtime.PodSandboxStats)
}

// ListPodSandboxStats forwards ListPodSandboxStats to the runtime.
func (b *Backend) ListPodSandboxStats(ctx context.Context, req *runtimeapi.ListPodSandboxStatsRequest) (*runtimeapi.ListPodSandboxStatsResponse, error) {
	return unary(ctx, b, req, b.runtime.ListPodSandboxStats)
}

// StreamPodSandboxStats relays the runtime's StreamPodSandboxStats stream.
func (b *Backend) StreamPodSandboxStats(req *runtimeapi.StreamPodSandboxStatsRequest, stream grpc.ServerStreamingServer[runtimeapi.StreamPodSandboxStatsResponse]) error {
	return relay(b, req, stream, b.runtime.StreamPodSandboxStats)
}

// ListMetricDescriptors forwards ListMetricDescriptors to the runtime.
func (b *Backend) ListMetricDescriptors(ctx context.Context, req *runtimeapi.ListMetricDescriptorsRequest) (*runtimeapi.ListMetricDescriptorsResponse, error) {
	return unary(ctx, b, req, b.runtime.ListMetricDescriptors)
}

// ListPodSandboxMetrics forwards ListPodSandboxMetrics to the runtime.
func (b *Backend) ListPodSandboxMetrics(ctx context.Context, req *runtimeapi.ListPodSandboxMetricsRequest) (*runtimeapi.ListPodSandboxMetricsResponse, error) {
	return unary(ctx, b, req, b.runtime.ListPodSandboxMetrics)
}

// StreamPodSandboxMetrics relays the runtime's StreamPodSandboxMetrics stream.
func (b *Backend) StreamPodSandboxMetrics(req *runtimeapi.StreamPodSandboxMetricsRequest, stream grpc.ServerStreamingServer[runtimeapi.StreamPodSandboxMetricsResponse]) error {
	return relay(b, req, stream, b.runtime.StreamPodSandboxMetrics)
}
