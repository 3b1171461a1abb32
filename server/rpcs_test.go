package server

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

const (
	runtimeService = "runtime.v1.RuntimeService"
	imageService   = "runtime.v1.ImageService"
)

// rpcCase calls one CRI method through the harness's clients with a request
// that passes validation.
type rpcCase struct {
	name    string // the method
	service string
	call    func(ctx context.Context, h *harness) error
}

func (c rpcCase) fullName() string { return c.service + "/" + c.name }

func validPodConfig() *runtimeapi.PodSandboxConfig {
	return &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "shop", Uid: "uid-1"},
	}
}

func validContainerConfig() *runtimeapi.ContainerConfig {
	return &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: "nginx"},
		Image:    &runtimeapi.ImageSpec{Image: "registry.example/nginx:1"},
	}
}

// drain reads a server stream to its end and returns its error, nil on EOF.
func drain[T any](st grpc.ServerStreamingClient[T], err error) error {
	if err != nil {
		return err
	}
	for {
		if _, err := st.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func ignore[T any](_ T, err error) error { return err }

// allRPCs has one case per method of RuntimeService and ImageService in
// k8s.io/cri-api v0.37.2: 37 and 6.
func allRPCs() []rpcCase {
	const sb, ctr = "sb-1", "ctr-1"
	img := &runtimeapi.ImageSpec{Image: "registry.example/nginx:1"}
	rt := func(name string, call func(ctx context.Context, c runtimeapi.RuntimeServiceClient) error) rpcCase {
		return rpcCase{name: name, service: runtimeService, call: func(ctx context.Context, h *harness) error { return call(ctx, h.rt) }}
	}
	im := func(name string, call func(ctx context.Context, c runtimeapi.ImageServiceClient) error) rpcCase {
		return rpcCase{name: name, service: imageService, call: func(ctx context.Context, h *harness) error { return call(ctx, h.img) }}
	}
	type rc = runtimeapi.RuntimeServiceClient
	type ic = runtimeapi.ImageServiceClient
	return []rpcCase{
		rt("Version", func(ctx context.Context, c rc) error { return ignore(c.Version(ctx, &runtimeapi.VersionRequest{})) }),
		rt("RunPodSandbox", func(ctx context.Context, c rc) error {
			return ignore(c.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: validPodConfig()}))
		}),
		rt("StopPodSandbox", func(ctx context.Context, c rc) error {
			return ignore(c.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: sb}))
		}),
		rt("RemovePodSandbox", func(ctx context.Context, c rc) error {
			return ignore(c.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: sb}))
		}),
		rt("PodSandboxStatus", func(ctx context.Context, c rc) error {
			return ignore(c.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: sb}))
		}),
		rt("ListPodSandbox", func(ctx context.Context, c rc) error {
			return ignore(c.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{}))
		}),
		rt("StreamPodSandboxes", func(ctx context.Context, c rc) error {
			return drain(c.StreamPodSandboxes(ctx, &runtimeapi.StreamPodSandboxesRequest{}))
		}),
		rt("CreateContainer", func(ctx context.Context, c rc) error {
			return ignore(c.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{
				PodSandboxId: sb, Config: validContainerConfig(), SandboxConfig: validPodConfig(),
			}))
		}),
		rt("StartContainer", func(ctx context.Context, c rc) error {
			return ignore(c.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ctr}))
		}),
		rt("StopContainer", func(ctx context.Context, c rc) error {
			return ignore(c.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: ctr}))
		}),
		rt("RemoveContainer", func(ctx context.Context, c rc) error {
			return ignore(c.RemoveContainer(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: ctr}))
		}),
		rt("ListContainers", func(ctx context.Context, c rc) error {
			return ignore(c.ListContainers(ctx, &runtimeapi.ListContainersRequest{}))
		}),
		rt("StreamContainers", func(ctx context.Context, c rc) error {
			return drain(c.StreamContainers(ctx, &runtimeapi.StreamContainersRequest{}))
		}),
		rt("ContainerStatus", func(ctx context.Context, c rc) error {
			return ignore(c.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: ctr}))
		}),
		rt("UpdateContainerResources", func(ctx context.Context, c rc) error {
			return ignore(c.UpdateContainerResources(ctx, &runtimeapi.UpdateContainerResourcesRequest{ContainerId: ctr}))
		}),
		rt("ReopenContainerLog", func(ctx context.Context, c rc) error {
			return ignore(c.ReopenContainerLog(ctx, &runtimeapi.ReopenContainerLogRequest{ContainerId: ctr}))
		}),
		rt("ExecSync", func(ctx context.Context, c rc) error {
			return ignore(c.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: ctr, Cmd: []string{"true"}}))
		}),
		rt("Exec", func(ctx context.Context, c rc) error {
			return ignore(c.Exec(ctx, &runtimeapi.ExecRequest{ContainerId: ctr, Cmd: []string{"sh"}, Stdout: true}))
		}),
		rt("Attach", func(ctx context.Context, c rc) error {
			return ignore(c.Attach(ctx, &runtimeapi.AttachRequest{ContainerId: ctr, Stdout: true}))
		}),
		rt("PortForward", func(ctx context.Context, c rc) error {
			return ignore(c.PortForward(ctx, &runtimeapi.PortForwardRequest{PodSandboxId: sb, Port: []int32{80}}))
		}),
		rt("ContainerStats", func(ctx context.Context, c rc) error {
			return ignore(c.ContainerStats(ctx, &runtimeapi.ContainerStatsRequest{ContainerId: ctr}))
		}),
		rt("ListContainerStats", func(ctx context.Context, c rc) error {
			return ignore(c.ListContainerStats(ctx, &runtimeapi.ListContainerStatsRequest{}))
		}),
		rt("StreamContainerStats", func(ctx context.Context, c rc) error {
			return drain(c.StreamContainerStats(ctx, &runtimeapi.StreamContainerStatsRequest{}))
		}),
		rt("PodSandboxStats", func(ctx context.Context, c rc) error {
			return ignore(c.PodSandboxStats(ctx, &runtimeapi.PodSandboxStatsRequest{PodSandboxId: sb}))
		}),
		rt("ListPodSandboxStats", func(ctx context.Context, c rc) error {
			return ignore(c.ListPodSandboxStats(ctx, &runtimeapi.ListPodSandboxStatsRequest{}))
		}),
		rt("StreamPodSandboxStats", func(ctx context.Context, c rc) error {
			return drain(c.StreamPodSandboxStats(ctx, &runtimeapi.StreamPodSandboxStatsRequest{}))
		}),
		rt("UpdateRuntimeConfig", func(ctx context.Context, c rc) error {
			return ignore(c.UpdateRuntimeConfig(ctx, &runtimeapi.UpdateRuntimeConfigRequest{}))
		}),
		rt("Status", func(ctx context.Context, c rc) error { return ignore(c.Status(ctx, &runtimeapi.StatusRequest{})) }),
		rt("CheckpointContainer", func(ctx context.Context, c rc) error {
			return ignore(c.CheckpointContainer(ctx, &runtimeapi.CheckpointContainerRequest{ContainerId: ctr}))
		}),
		rt("CheckpointPod", func(ctx context.Context, c rc) error {
			return ignore(c.CheckpointPod(ctx, &runtimeapi.CheckpointPodRequest{PodSandboxId: sb}))
		}),
		rt("RestorePod", func(ctx context.Context, c rc) error {
			return ignore(c.RestorePod(ctx, &runtimeapi.RestorePodRequest{Config: validPodConfig()}))
		}),
		rt("GetContainerEvents", func(ctx context.Context, c rc) error {
			return drain(c.GetContainerEvents(ctx, &runtimeapi.GetEventsRequest{}))
		}),
		rt("ListMetricDescriptors", func(ctx context.Context, c rc) error {
			return ignore(c.ListMetricDescriptors(ctx, &runtimeapi.ListMetricDescriptorsRequest{}))
		}),
		rt("ListPodSandboxMetrics", func(ctx context.Context, c rc) error {
			return ignore(c.ListPodSandboxMetrics(ctx, &runtimeapi.ListPodSandboxMetricsRequest{}))
		}),
		rt("StreamPodSandboxMetrics", func(ctx context.Context, c rc) error {
			return drain(c.StreamPodSandboxMetrics(ctx, &runtimeapi.StreamPodSandboxMetricsRequest{}))
		}),
		rt("RuntimeConfig", func(ctx context.Context, c rc) error {
			return ignore(c.RuntimeConfig(ctx, &runtimeapi.RuntimeConfigRequest{}))
		}),
		rt("UpdatePodSandboxResources", func(ctx context.Context, c rc) error {
			return ignore(c.UpdatePodSandboxResources(ctx, &runtimeapi.UpdatePodSandboxResourcesRequest{PodSandboxId: sb}))
		}),
		im("ListImages", func(ctx context.Context, c ic) error {
			return ignore(c.ListImages(ctx, &runtimeapi.ListImagesRequest{}))
		}),
		im("StreamImages", func(ctx context.Context, c ic) error {
			return drain(c.StreamImages(ctx, &runtimeapi.StreamImagesRequest{}))
		}),
		im("ImageStatus", func(ctx context.Context, c ic) error {
			return ignore(c.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: img}))
		}),
		im("PullImage", func(ctx context.Context, c ic) error {
			return ignore(c.PullImage(ctx, &runtimeapi.PullImageRequest{Image: img}))
		}),
		im("RemoveImage", func(ctx context.Context, c ic) error {
			return ignore(c.RemoveImage(ctx, &runtimeapi.RemoveImageRequest{Image: img}))
		}),
		im("ImageFsInfo", func(ctx context.Context, c ic) error {
			return ignore(c.ImageFsInfo(ctx, &runtimeapi.ImageFsInfoRequest{}))
		}),
	}
}
