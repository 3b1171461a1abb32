package embedded

import (
	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// streamBatch is the number of items per message of a Stream* RPC. The
// Stream* RPCs exist so that long lists need not fit in one gRPC message.
const streamBatch = 100

// sendBatches sends items in messages of at most streamBatch, built by wrap.
// It sends nothing for an empty list.
func sendBatches[T, M any](items []T, wrap func([]T) *M, send func(*M) error) error {
	for len(items) > 0 {
		n := min(len(items), streamBatch)
		if err := send(wrap(items[:n])); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// StreamPodSandboxes sends the items of ListPodSandbox, in batches.
func (r *Runtime) StreamPodSandboxes(req *runtimeapi.StreamPodSandboxesRequest, stream grpc.ServerStreamingServer[runtimeapi.StreamPodSandboxesResponse]) error {
	return sendBatches(r.listSandboxes(req.GetFilter()), func(b []*runtimeapi.PodSandbox) *runtimeapi.StreamPodSandboxesResponse {
		return &runtimeapi.StreamPodSandboxesResponse{PodSandboxes: b}
	}, stream.Send)
}

// StreamContainers sends the items of ListContainers, in batches.
func (r *Runtime) StreamContainers(req *runtimeapi.StreamContainersRequest, stream grpc.ServerStreamingServer[runtimeapi.StreamContainersResponse]) error {
	return sendBatches(r.listContainers(req.GetFilter()), func(b []*runtimeapi.Container) *runtimeapi.StreamContainersResponse {
		return &runtimeapi.StreamContainersResponse{Containers: b}
	}, stream.Send)
}

// StreamImages sends the items of ListImages, in batches.
func (r *Runtime) StreamImages(req *runtimeapi.StreamImagesRequest, stream grpc.ServerStreamingServer[runtimeapi.StreamImagesResponse]) error {
	return sendBatches(r.listImages(req.GetFilter()), func(b []*runtimeapi.Image) *runtimeapi.StreamImagesResponse {
		return &runtimeapi.StreamImagesResponse{Images: b}
	}, stream.Send)
}

// StreamContainerStats sends the items of ListContainerStats, in batches.
func (r *Runtime) StreamContainerStats(req *runtimeapi.StreamContainerStatsRequest, stream grpc.ServerStreamingServer[runtimeapi.StreamContainerStatsResponse]) error {
	return sendBatches(r.listContainerStats(req.GetFilter()), func(b []*runtimeapi.ContainerStats) *runtimeapi.StreamContainerStatsResponse {
		return &runtimeapi.StreamContainerStatsResponse{ContainerStats: b}
	}, stream.Send)
}

// StreamPodSandboxStats sends the items of ListPodSandboxStats, in batches.
func (r *Runtime) StreamPodSandboxStats(req *runtimeapi.StreamPodSandboxStatsRequest, stream grpc.ServerStreamingServer[runtimeapi.StreamPodSandboxStatsResponse]) error {
	return sendBatches(r.listSandboxStats(req.GetFilter()), func(b []*runtimeapi.PodSandboxStats) *runtimeapi.StreamPodSandboxStatsResponse {
		return &runtimeapi.StreamPodSandboxStatsResponse{PodSandboxStats: b}
	}, stream.Send)
}

// StreamPodSandboxMetrics sends the items of ListPodSandboxMetrics: none.
func (r *Runtime) StreamPodSandboxMetrics(*runtimeapi.StreamPodSandboxMetricsRequest, grpc.ServerStreamingServer[runtimeapi.StreamPodSandboxMetricsResponse]) error {
	return nil
}
