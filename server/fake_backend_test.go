package server

import (
	"context"
	"slices"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// fakeBackend records every call. By default unary methods answer with a
// zero response; with fail set every method answers backendError(method);
// hooks replace a method's behaviour. Configure it before serving.
type fakeBackend struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	runtimeapi.UnimplementedImageServiceServer

	fail  bool
	hooks map[string]func(ctx context.Context, req any) (any, error)

	mu    sync.Mutex
	calls []string
}

// backendError is the error the fake returns for method when it fails: one
// per method, so a test can tell which backend method answered.
func backendError(method string) error {
	return status.Errorf(codes.FailedPrecondition, "fake backend: %s", method)
}

func (f *fakeBackend) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeBackend) record(method string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, method)
}

// unary answers a unary call; T is the response type.
func unary[T any](f *fakeBackend, ctx context.Context, method string, req any) (*T, error) {
	f.record(method)
	if hook := f.hooks[method]; hook != nil {
		resp, err := hook(ctx, req)
		if resp == nil {
			return nil, err
		}
		return resp.(*T), err
	}
	if f.fail {
		return nil, backendError(method)
	}
	return new(T), nil
}

// stream answers a streaming call; a hook gets the server stream as req.
func (f *fakeBackend) stream(ctx context.Context, method string, st any) error {
	f.record(method)
	if hook := f.hooks[method]; hook != nil {
		_, err := hook(ctx, st)
		return err
	}
	if f.fail {
		return backendError(method)
	}
	return nil
}

func (f *fakeBackend) Version(ctx context.Context, req *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	return unary[runtimeapi.VersionResponse](f, ctx, "Version", req)
}

func (f *fakeBackend) RunPodSandbox(ctx context.Context, req *runtimeapi.RunPodSandboxRequest) (*runtimeapi.RunPodSandboxResponse, error) {
	return unary[runtimeapi.RunPodSandboxResponse](f, ctx, "RunPodSandbox", req)
}

func (f *fakeBackend) StopPodSandbox(ctx context.Context, req *runtimeapi.StopPodSandboxRequest) (*runtimeapi.StopPodSandboxResponse, error) {
	return unary[runtimeapi.StopPodSandboxResponse](f, ctx, "StopPodSandbox", req)
}

func (f *fakeBackend) RemovePodSandbox(ctx context.Context, req *runtimeapi.RemovePodSandboxRequest) (*runtimeapi.RemovePodSandboxResponse, error) {
	return unary[runtimeapi.RemovePodSandboxResponse](f, ctx, "RemovePodSandbox", req)
}

func (f *fakeBackend) PodSandboxStatus(ctx context.Context, req *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	return unary[runtimeapi.PodSandboxStatusResponse](f, ctx, "PodSandboxStatus", req)
}

func (f *fakeBackend) ListPodSandbox(ctx context.Context, req *runtimeapi.ListPodSandboxRequest) (*runtimeapi.ListPodSandboxResponse, error) {
	return unary[runtimeapi.ListPodSandboxResponse](f, ctx, "ListPodSandbox", req)
}

func (f *fakeBackend) StreamPodSandboxes(_ *runtimeapi.StreamPodSandboxesRequest, st grpc.ServerStreamingServer[runtimeapi.StreamPodSandboxesResponse]) error {
	return f.stream(st.Context(), "StreamPodSandboxes", st)
}

func (f *fakeBackend) CreateContainer(ctx context.Context, req *runtimeapi.CreateContainerRequest) (*runtimeapi.CreateContainerResponse, error) {
	return unary[runtimeapi.CreateContainerResponse](f, ctx, "CreateContainer", req)
}

func (f *fakeBackend) StartContainer(ctx context.Context, req *runtimeapi.StartContainerRequest) (*runtimeapi.StartContainerResponse, error) {
	return unary[runtimeapi.StartContainerResponse](f, ctx, "StartContainer", req)
}

func (f *fakeBackend) StopContainer(ctx context.Context, req *runtimeapi.StopContainerRequest) (*runtimeapi.StopContainerResponse, error) {
	return unary[runtimeapi.StopContainerResponse](f, ctx, "StopContainer", req)
}

func (f *fakeBackend) RemoveContainer(ctx context.Context, req *runtimeapi.RemoveContainerRequest) (*runtimeapi.RemoveContainerResponse, error) {
	return unary[runtimeapi.RemoveContainerResponse](f, ctx, "RemoveContainer", req)
}

func (f *fakeBackend) ListContainers(ctx context.Context, req *runtimeapi.ListContainersRequest) (*runtimeapi.ListContainersResponse, error) {
	return unary[runtimeapi.ListContainersResponse](f, ctx, "ListContainers", req)
}

func (f *fakeBackend) StreamContainers(_ *runtimeapi.StreamContainersRequest, st grpc.ServerStreamingServer[runtimeapi.StreamContainersResponse]) error {
	return f.stream(st.Context(), "StreamContainers", st)
}

func (f *fakeBackend) ContainerStatus(ctx context.Context, req *runtimeapi.ContainerStatusRequest) (*runtimeapi.ContainerStatusResponse, error) {
	return unary[runtimeapi.ContainerStatusResponse](f, ctx, "ContainerStatus", req)
}

func (f *fakeBackend) UpdateContainerResources(ctx context.Context, req *runtimeapi.UpdateContainerResourcesRequest) (*runtimeapi.UpdateContainerResourcesResponse, error) {
	return unary[runtimeapi.UpdateContainerResourcesResponse](f, ctx, "UpdateContainerResources", req)
}

func (f *fakeBackend) ReopenContainerLog(ctx context.Context, req *runtimeapi.ReopenContainerLogRequest) (*runtimeapi.ReopenContainerLogResponse, error) {
	return unary[runtimeapi.ReopenContainerLogResponse](f, ctx, "ReopenContainerLog", req)
}

func (f *fakeBackend) ExecSync(ctx context.Context, req *runtimeapi.ExecSyncRequest) (*runtimeapi.ExecSyncResponse, error) {
	return unary[runtimeapi.ExecSyncResponse](f, ctx, "ExecSync", req)
}

func (f *fakeBackend) Exec(ctx context.Context, req *runtimeapi.ExecRequest) (*runtimeapi.ExecResponse, error) {
	return unary[runtimeapi.ExecResponse](f, ctx, "Exec", req)
}

func (f *fakeBackend) Attach(ctx context.Context, req *runtimeapi.AttachRequest) (*runtimeapi.AttachResponse, error) {
	return unary[runtimeapi.AttachResponse](f, ctx, "Attach", req)
}

func (f *fakeBackend) PortForward(ctx context.Context, req *runtimeapi.PortForwardRequest) (*runtimeapi.PortForwardResponse, error) {
	return unary[runtimeapi.PortForwardResponse](f, ctx, "PortForward", req)
}

func (f *fakeBackend) ContainerStats(ctx context.Context, req *runtimeapi.ContainerStatsRequest) (*runtimeapi.ContainerStatsResponse, error) {
	return unary[runtimeapi.ContainerStatsResponse](f, ctx, "ContainerStats", req)
}

func (f *fakeBackend) ListContainerStats(ctx context.Context, req *runtimeapi.ListContainerStatsRequest) (*runtimeapi.ListContainerStatsResponse, error) {
	return unary[runtimeapi.ListContainerStatsResponse](f, ctx, "ListContainerStats", req)
}

func (f *fakeBackend) StreamContainerStats(_ *runtimeapi.StreamContainerStatsRequest, st grpc.ServerStreamingServer[runtimeapi.StreamContainerStatsResponse]) error {
	return f.stream(st.Context(), "StreamContainerStats", st)
}

func (f *fakeBackend) PodSandboxStats(ctx context.Context, req *runtimeapi.PodSandboxStatsRequest) (*runtimeapi.PodSandboxStatsResponse, error) {
	return unary[runtimeapi.PodSandboxStatsResponse](f, ctx, "PodSandboxStats", req)
}

func (f *fakeBackend) ListPodSandboxStats(ctx context.Context, req *runtimeapi.ListPodSandboxStatsRequest) (*runtimeapi.ListPodSandboxStatsResponse, error) {
	return unary[runtimeapi.ListPodSandboxStatsResponse](f, ctx, "ListPodSandboxStats", req)
}

func (f *fakeBackend) StreamPodSandboxStats(_ *runtimeapi.StreamPodSandboxStatsRequest, st grpc.ServerStreamingServer[runtimeapi.StreamPodSandboxStatsResponse]) error {
	return f.stream(st.Context(), "StreamPodSandboxStats", st)
}

func (f *fakeBackend) UpdateRuntimeConfig(ctx context.Context, req *runtimeapi.UpdateRuntimeConfigRequest) (*runtimeapi.UpdateRuntimeConfigResponse, error) {
	return unary[runtimeapi.UpdateRuntimeConfigResponse](f, ctx, "UpdateRuntimeConfig", req)
}

func (f *fakeBackend) Status(ctx context.Context, req *runtimeapi.StatusRequest) (*runtimeapi.StatusResponse, error) {
	return unary[runtimeapi.StatusResponse](f, ctx, "Status", req)
}

func (f *fakeBackend) CheckpointContainer(ctx context.Context, req *runtimeapi.CheckpointContainerRequest) (*runtimeapi.CheckpointContainerResponse, error) {
	return unary[runtimeapi.CheckpointContainerResponse](f, ctx, "CheckpointContainer", req)
}

func (f *fakeBackend) CheckpointPod(ctx context.Context, req *runtimeapi.CheckpointPodRequest) (*runtimeapi.CheckpointPodResponse, error) {
	return unary[runtimeapi.CheckpointPodResponse](f, ctx, "CheckpointPod", req)
}

func (f *fakeBackend) RestorePod(ctx context.Context, req *runtimeapi.RestorePodRequest) (*runtimeapi.RestorePodResponse, error) {
	return unary[runtimeapi.RestorePodResponse](f, ctx, "RestorePod", req)
}

func (f *fakeBackend) GetContainerEvents(_ *runtimeapi.GetEventsRequest, st grpc.ServerStreamingServer[runtimeapi.ContainerEventResponse]) error {
	return f.stream(st.Context(), "GetContainerEvents", st)
}

func (f *fakeBackend) ListMetricDescriptors(ctx context.Context, req *runtimeapi.ListMetricDescriptorsRequest) (*runtimeapi.ListMetricDescriptorsResponse, error) {
	return unary[runtimeapi.ListMetricDescriptorsResponse](f, ctx, "ListMetricDescriptors", req)
}

func (f *fakeBackend) ListPodSandboxMetrics(ctx context.Context, req *runtimeapi.ListPodSandboxMetricsRequest) (*runtimeapi.ListPodSandboxMetricsResponse, error) {
	return unary[runtimeapi.ListPodSandboxMetricsResponse](f, ctx, "ListPodSandboxMetrics", req)
}

func (f *fakeBackend) StreamPodSandboxMetrics(_ *runtimeapi.StreamPodSandboxMetricsRequest, st grpc.ServerStreamingServer[runtimeapi.StreamPodSandboxMetricsResponse]) error {
	return f.stream(st.Context(), "StreamPodSandboxMetrics", st)
}

func (f *fakeBackend) RuntimeConfig(ctx context.Context, req *runtimeapi.RuntimeConfigRequest) (*runtimeapi.RuntimeConfigResponse, error) {
	return unary[runtimeapi.RuntimeConfigResponse](f, ctx, "RuntimeConfig", req)
}

func (f *fakeBackend) UpdatePodSandboxResources(ctx context.Context, req *runtimeapi.UpdatePodSandboxResourcesRequest) (*runtimeapi.UpdatePodSandboxResourcesResponse, error) {
	return unary[runtimeapi.UpdatePodSandboxResourcesResponse](f, ctx, "UpdatePodSandboxResources", req)
}

func (f *fakeBackend) ListImages(ctx context.Context, req *runtimeapi.ListImagesRequest) (*runtimeapi.ListImagesResponse, error) {
	return unary[runtimeapi.ListImagesResponse](f, ctx, "ListImages", req)
}

func (f *fakeBackend) StreamImages(_ *runtimeapi.StreamImagesRequest, st grpc.ServerStreamingServer[runtimeapi.StreamImagesResponse]) error {
	return f.stream(st.Context(), "StreamImages", st)
}

func (f *fakeBackend) ImageStatus(ctx context.Context, req *runtimeapi.ImageStatusRequest) (*runtimeapi.ImageStatusResponse, error) {
	return unary[runtimeapi.ImageStatusResponse](f, ctx, "ImageStatus", req)
}

func (f *fakeBackend) PullImage(ctx context.Context, req *runtimeapi.PullImageRequest) (*runtimeapi.PullImageResponse, error) {
	return unary[runtimeapi.PullImageResponse](f, ctx, "PullImage", req)
}

func (f *fakeBackend) RemoveImage(ctx context.Context, req *runtimeapi.RemoveImageRequest) (*runtimeapi.RemoveImageResponse, error) {
	return unary[runtimeapi.RemoveImageResponse](f, ctx, "RemoveImage", req)
}

func (f *fakeBackend) ImageFsInfo(ctx context.Context, req *runtimeapi.ImageFsInfoRequest) (*runtimeapi.ImageFsInfoResponse, error) {
	return unary[runtimeapi.ImageFsInfoResponse](f, ctx, "ImageFsInfo", req)
}
