package server

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestSpanAttributes walks a pod's life through a real gRPC server and checks
// the attributes on each RPC's server span: from the request for
// RunPodSandbox, CreateContainer and PullImage, from the index for calls that
// carry only an id, and gone from the index once the object is removed.
// Steps run in order: each relies on the index state the previous left.
func TestSpanAttributes(t *testing.T) {
	backend := &fakeBackend{hooks: map[string]func(context.Context, any) (any, error){
		"RunPodSandbox": func(context.Context, any) (any, error) {
			return &runtimeapi.RunPodSandboxResponse{PodSandboxId: "sb-42"}, nil
		},
		"CreateContainer": func(context.Context, any) (any, error) {
			return &runtimeapi.CreateContainerResponse{ContainerId: "ctr-7"}, nil
		},
		"PodSandboxStatus": func(_ context.Context, req any) (any, error) {
			id := req.(*runtimeapi.PodSandboxStatusRequest).GetPodSandboxId()
			if id != "sb-99" {
				return &runtimeapi.PodSandboxStatusResponse{}, nil
			}
			return &runtimeapi.PodSandboxStatusResponse{Status: &runtimeapi.PodSandboxStatus{
				Id: id, RuntimeHandler: "kata",
				Metadata: &runtimeapi.PodSandboxMetadata{Name: "db", Namespace: "shop", Uid: "uid-2"},
			}}, nil
		},
	}}
	h := newHarness(t, backend)
	pod := map[attribute.Key]string{
		AttrPodName: "web", AttrNamespaceName: "shop", AttrPodUID: "uid-1",
	}
	with := func(base map[attribute.Key]string, extra ...string) map[attribute.Key]string {
		out := make(map[attribute.Key]string, len(base)+len(extra)/2)
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i+1 < len(extra); i += 2 {
			out[attribute.Key(extra[i])] = extra[i+1]
		}
		return out
	}
	image := "registry.example/nginx:1"
	fullCtr := with(pod,
		"cri.runtime_handler", "runc", "cri.sandbox.id", "sb-42", "container.id", "ctr-7",
		"k8s.container.name", "nginx", "container.image.name", image)

	steps := []struct {
		name   string
		method string
		call   func(ctx context.Context) error
		want   map[attribute.Key]string
		absent []attribute.Key
	}{
		{
			name: "pull image names the image and the pod", method: imageService + "/PullImage",
			call: func(ctx context.Context) error {
				return ignore(h.img.PullImage(ctx, &runtimeapi.PullImageRequest{
					Image: &runtimeapi.ImageSpec{Image: image}, SandboxConfig: validPodConfig(),
				}))
			},
			want: with(pod, "container.image.name", image),
		},
		{
			name: "run pod sandbox names the pod and the new sandbox", method: runtimeService + "/RunPodSandbox",
			call: func(ctx context.Context) error {
				return ignore(h.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{
					Config: validPodConfig(), RuntimeHandler: "runc",
				}))
			},
			want: with(pod, "cri.runtime_handler", "runc", "cri.sandbox.id", "sb-42"),
		},
		{
			name: "create container names the container and its pod", method: runtimeService + "/CreateContainer",
			call: func(ctx context.Context) error {
				return ignore(h.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{
					PodSandboxId: "sb-42", Config: validContainerConfig(),
				}))
			},
			want: fullCtr,
		},
		{
			name: "start container learns all from the index", method: runtimeService + "/StartContainer",
			call: func(ctx context.Context) error {
				return ignore(h.rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: "ctr-7"}))
			},
			want: fullCtr,
		},
		{
			name: "exec sync records no command", method: runtimeService + "/ExecSync",
			call: func(ctx context.Context) error {
				return ignore(h.rt.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: "ctr-7", Cmd: []string{"cat", "/secret"}}))
			},
			want: fullCtr,
		},
		{
			name: "stop pod sandbox learns the pod from the index", method: runtimeService + "/StopPodSandbox",
			call: func(ctx context.Context) error {
				return ignore(h.rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: "sb-42"}))
			},
			want:   with(pod, "cri.runtime_handler", "runc", "cri.sandbox.id", "sb-42"),
			absent: []attribute.Key{AttrContainerID, AttrContainerName},
		},
		{
			name: "remove container still names it", method: runtimeService + "/RemoveContainer",
			call: func(ctx context.Context) error {
				return ignore(h.rt.RemoveContainer(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: "ctr-7"}))
			},
			want: fullCtr,
		},
		{
			name: "a removed container is known by id only", method: runtimeService + "/ContainerStatus",
			call: func(ctx context.Context) error {
				return ignore(h.rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: "ctr-7"}))
			},
			want:   map[attribute.Key]string{AttrContainerID: "ctr-7"},
			absent: []attribute.Key{AttrContainerName, AttrPodName, AttrSandboxID},
		},
		{
			name: "remove pod sandbox still names the pod", method: runtimeService + "/RemovePodSandbox",
			call: func(ctx context.Context) error {
				return ignore(h.rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: "sb-42"}))
			},
			want: with(pod, "cri.runtime_handler", "runc", "cri.sandbox.id", "sb-42"),
		},
		{
			name: "a removed sandbox is known by id only", method: runtimeService + "/PodSandboxStatus",
			call: func(ctx context.Context) error {
				return ignore(h.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: "sb-42"}))
			},
			want:   map[attribute.Key]string{AttrSandboxID: "sb-42"},
			absent: []attribute.Key{AttrPodName, AttrNamespaceName, AttrPodUID, AttrRuntimeHandler},
		},
		{
			name: "an unknown sandbox is learned from its status", method: runtimeService + "/PodSandboxStatus",
			call: func(ctx context.Context) error {
				return ignore(h.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: "sb-99"}))
			},
			want: map[attribute.Key]string{
				AttrSandboxID: "sb-99", AttrPodName: "db", AttrNamespaceName: "shop", AttrPodUID: "uid-2", AttrRuntimeHandler: "kata",
			},
		},
		{
			name: "a learned sandbox names later calls", method: runtimeService + "/StopPodSandbox",
			call: func(ctx context.Context) error {
				return ignore(h.rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: "sb-99"}))
			},
			want: map[attribute.Key]string{
				AttrSandboxID: "sb-99", AttrPodName: "db", AttrNamespaceName: "shop", AttrPodUID: "uid-2", AttrRuntimeHandler: "kata",
			},
		},
	}
	calls := make(map[string]int) // per method, to find this step's span
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			calls[st.method]++
			if err := st.call(t.Context()); err != nil {
				t.Fatalf("%s: %v", st.method, err)
			}
			spans := h.serverSpans(t, st.method, calls[st.method])
			got := attrs(spans[len(spans)-1])
			for k, v := range st.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			for _, k := range st.absent {
				if v, ok := got[k]; ok {
					t.Errorf("%s = %q, want it absent", k, v)
				}
			}
			for k := range got {
				if allowList.Allows(k) {
					if _, wanted := st.want[k]; !wanted {
						t.Errorf("unexpected domain attribute %s = %q", k, got[k])
					}
				}
			}
		})
	}
}
