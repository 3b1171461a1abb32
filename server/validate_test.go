package server

import (
	"context"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestInvalidRequests sends requests that miss a required field through a
// real gRPC server and checks the answer is InvalidArgument naming the field
// by its proto path, and that the backend never saw the request.
func TestInvalidRequests(t *testing.T) {
	h := newHarness(t, &fakeBackend{})
	podWith := func(md *runtimeapi.PodSandboxMetadata) *runtimeapi.PodSandboxConfig {
		return &runtimeapi.PodSandboxConfig{Metadata: md}
	}
	type rc = runtimeapi.RuntimeServiceClient
	type ic = runtimeapi.ImageServiceClient
	run := func(req *runtimeapi.RunPodSandboxRequest) func(context.Context, rc, ic) error {
		return func(ctx context.Context, c rc, _ ic) error { return ignore(c.RunPodSandbox(ctx, req)) }
	}
	create := func(req *runtimeapi.CreateContainerRequest) func(context.Context, rc, ic) error {
		return func(ctx context.Context, c rc, _ ic) error { return ignore(c.CreateContainer(ctx, req)) }
	}
	cases := []struct {
		name    string
		method  string
		call    func(context.Context, rc, ic) error
		wantMsg string
	}{
		{"run without config", "RunPodSandbox", run(&runtimeapi.RunPodSandboxRequest{}), "config is required"},
		{"run without metadata", "RunPodSandbox", run(&runtimeapi.RunPodSandboxRequest{Config: podWith(nil)}), "config.metadata is required"},
		{"run without pod name", "RunPodSandbox", run(&runtimeapi.RunPodSandboxRequest{
			Config: podWith(&runtimeapi.PodSandboxMetadata{Namespace: "ns", Uid: "u"}),
		}), "config.metadata.name is required"},
		{"run without namespace", "RunPodSandbox", run(&runtimeapi.RunPodSandboxRequest{
			Config: podWith(&runtimeapi.PodSandboxMetadata{Name: "p", Uid: "u"}),
		}), "config.metadata.namespace is required"},
		{"run without uid", "RunPodSandbox", run(&runtimeapi.RunPodSandboxRequest{
			Config: podWith(&runtimeapi.PodSandboxMetadata{Name: "p", Namespace: "ns"}),
		}), "config.metadata.uid is required"},
		{"create without sandbox id", "CreateContainer", create(&runtimeapi.CreateContainerRequest{
			Config: validContainerConfig(),
		}), "pod_sandbox_id is required"},
		{"create without config", "CreateContainer", create(&runtimeapi.CreateContainerRequest{
			PodSandboxId: "sb",
		}), "config is required"},
		{"create without metadata", "CreateContainer", create(&runtimeapi.CreateContainerRequest{
			PodSandboxId: "sb", Config: &runtimeapi.ContainerConfig{},
		}), "config.metadata is required"},
		{"stop sandbox without id", "StopPodSandbox", func(ctx context.Context, c rc, _ ic) error {
			return ignore(c.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{}))
		}, "pod_sandbox_id is required"},
		{"remove sandbox without id", "RemovePodSandbox", func(ctx context.Context, c rc, _ ic) error {
			return ignore(c.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{}))
		}, "pod_sandbox_id is required"},
		{"port forward without id", "PortForward", func(ctx context.Context, c rc, _ ic) error {
			return ignore(c.PortForward(ctx, &runtimeapi.PortForwardRequest{}))
		}, "pod_sandbox_id is required"},
		{"start without container id", "StartContainer", func(ctx context.Context, c rc, _ ic) error {
			return ignore(c.StartContainer(ctx, &runtimeapi.StartContainerRequest{}))
		}, "container_id is required"},
		{"exec sync without container id", "ExecSync", func(ctx context.Context, c rc, _ ic) error {
			return ignore(c.ExecSync(ctx, &runtimeapi.ExecSyncRequest{Cmd: []string{"ls"}}))
		}, "container_id is required"},
		{"container status without id", "ContainerStatus", func(ctx context.Context, c rc, _ ic) error {
			return ignore(c.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{}))
		}, "container_id is required"},
		{"pull without image", "PullImage", func(ctx context.Context, _ rc, c ic) error {
			return ignore(c.PullImage(ctx, &runtimeapi.PullImageRequest{}))
		}, "image is required"},
		{"pull with empty image", "PullImage", func(ctx context.Context, _ rc, c ic) error {
			return ignore(c.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{}}))
		}, "image.image is required"},
		{"image status with empty image", "ImageStatus", func(ctx context.Context, _ rc, c ic) error {
			return ignore(c.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{}}))
		}, "image.image is required"},
		{"remove image without image", "RemoveImage", func(ctx context.Context, _ rc, c ic) error {
			return ignore(c.RemoveImage(ctx, &runtimeapi.RemoveImageRequest{}))
		}, "image is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(t.Context(), h.rt, h.img)
			st := status.Convert(err)
			if st.Code() != codes.InvalidArgument || st.Message() != tc.wantMsg {
				t.Fatalf("%s error = %v, want InvalidArgument %q", tc.method, err, tc.wantMsg)
			}
			if slices.Contains(h.backend.called(), tc.method) {
				t.Fatalf("backend %s was called with an invalid request", tc.method)
			}
		})
	}
}

// TestValidRequestsPass checks the validators accept what the kubelet sends,
// so validation cannot turn a good call into an error.
func TestValidRequestsPass(t *testing.T) {
	cases := []struct {
		name string
		err  error
	}{
		{"run pod sandbox", validateRunPodSandbox(&runtimeapi.RunPodSandboxRequest{Config: validPodConfig()})},
		{"create container", validateCreateContainer(&runtimeapi.CreateContainerRequest{
			PodSandboxId: "sb", Config: validContainerConfig(),
		})},
		{"image spec", validateImageSpec(&runtimeapi.ImageSpec{Image: "busybox"})},
		{"container id", validateContainerID("c")},
		{"sandbox id", validateSandboxID("s")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err != nil {
				t.Fatalf("valid request rejected: %v", tc.err)
			}
		})
	}
}
