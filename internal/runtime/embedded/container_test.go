package embedded

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestContainerTransitions(t *testing.T) {
	start := func(ctx context.Context, r *Runtime, id string) error {
		_, err := r.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: id})
		return err
	}
	stop := func(ctx context.Context, r *Runtime, id string) error {
		_, err := r.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: id, Timeout: 10})
		return err
	}
	type op func(context.Context, *Runtime, string) error
	tests := []struct {
		name       string
		argv       []string
		ops        []op // all but the last must succeed
		wantCode   codes.Code
		wantState  runtimeapi.ContainerState
		wantExit   int32
		wantReason string
	}{
		{name: "created", wantState: runtimeapi.ContainerState_CONTAINER_CREATED},
		{name: "start", ops: []op{start}, wantState: runtimeapi.ContainerState_CONTAINER_RUNNING},
		{name: "graceful stop exits 0", ops: []op{start, stop}, wantState: runtimeapi.ContainerState_CONTAINER_EXITED, wantReason: reasonCompleted},
		{name: "stop twice", ops: []op{start, stop, stop}, wantState: runtimeapi.ContainerState_CONTAINER_EXITED, wantReason: reasonCompleted},
		{name: "stop before start keeps created", ops: []op{stop}, wantState: runtimeapi.ContainerState_CONTAINER_CREATED},
		{name: "start twice", ops: []op{start, start}, wantCode: codes.FailedPrecondition, wantState: runtimeapi.ContainerState_CONTAINER_RUNNING},
		{name: "restart after exit", ops: []op{start, stop, start}, wantCode: codes.FailedPrecondition, wantState: runtimeapi.ContainerState_CONTAINER_EXITED, wantReason: reasonCompleted},
		{
			name: "failing command exits at start", argv: []string{FailingCommand}, ops: []op{start},
			wantCode: codes.FailedPrecondition, wantState: runtimeapi.ContainerState_CONTAINER_EXITED,
			wantExit: FailingExitCode, wantReason: reasonError,
		},
		{name: "false with args runs", argv: []string{FailingCommand, "x"}, ops: []op{start}, wantState: runtimeapi.ContainerState_CONTAINER_RUNNING},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			r := newTestRuntime(t)
			mustPull(ctx, t, r, "busybox")
			podID := mustRunPod(ctx, t, r, podConfig("web"))
			id := mustCreate(ctx, t, r, podID, containerConfig("main", "busybox", tt.argv...))
			var err error
			for i, o := range tt.ops {
				if err = o(ctx, r, id); err != nil && i < len(tt.ops)-1 {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			if status.Code(err) != tt.wantCode {
				t.Fatalf("last step error = %v, want %v", err, tt.wantCode)
			}
			if err != nil && !strings.Contains(err.Error(), id) {
				t.Errorf("error %q does not name container %q", err, id)
			}
			st := containerState(ctx, t, r, id)
			if st.State != tt.wantState || st.ExitCode != tt.wantExit || st.Reason != tt.wantReason {
				t.Errorf("status = %v exit %d reason %q, want %v exit %d reason %q",
					st.State, st.ExitCode, st.Reason, tt.wantState, tt.wantExit, tt.wantReason)
			}
			checkTimestamps(t, st)
		})
	}
}

// checkTimestamps checks that the timestamps a state implies are set and in
// order, and the others are zero.
func checkTimestamps(t *testing.T, st *runtimeapi.ContainerStatus) {
	t.Helper()
	started := st.State != runtimeapi.ContainerState_CONTAINER_CREATED
	finished := st.State == runtimeapi.ContainerState_CONTAINER_EXITED
	switch {
	case st.CreatedAt == 0:
		t.Errorf("created_at is not set")
	case started != (st.StartedAt != 0), finished != (st.FinishedAt != 0):
		t.Errorf("state %v with started_at %d finished_at %d", st.State, st.StartedAt, st.FinishedAt)
	case started && st.StartedAt < st.CreatedAt, finished && st.FinishedAt < st.StartedAt:
		t.Errorf("timestamps out of order: created %d started %d finished %d", st.CreatedAt, st.StartedAt, st.FinishedAt)
	}
}

func TestCreateContainerErrors(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	mustPull(ctx, t, r, "busybox")
	podID := mustRunPod(ctx, t, r, podConfig("web"))
	holder := mustCreate(ctx, t, r, podID, containerConfig("main", "busybox"))
	noName := containerConfig("", "busybox")
	tests := []struct {
		name     string
		podID    string
		cfg      *runtimeapi.ContainerConfig
		wantCode codes.Code
		wantMsg  string
	}{
		{name: "duplicate name names the holder", podID: podID, cfg: containerConfig("main", "busybox"), wantCode: codes.AlreadyExists, wantMsg: holder},
		{name: "unknown sandbox", podID: "beef", cfg: containerConfig("x", "busybox"), wantCode: codes.NotFound, wantMsg: `"beef"`},
		{name: "image not pulled", podID: podID, cfg: containerConfig("x", "nginx"), wantCode: codes.NotFound, wantMsg: `image "nginx"`},
		{name: "missing metadata name", podID: podID, cfg: noName, wantCode: codes.InvalidArgument, wantMsg: "config.metadata.name"},
		{name: "missing image", podID: podID, cfg: containerConfig("x", ""), wantCode: codes.InvalidArgument, wantMsg: "config.image.image"},
		{name: "missing config", podID: podID, cfg: nil, wantCode: codes.InvalidArgument, wantMsg: "config.metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: tt.podID, Config: tt.cfg})
			if st := status.Convert(err); st.Code() != tt.wantCode || !strings.Contains(st.Message(), tt.wantMsg) {
				t.Errorf("CreateContainer error = %v, want %v containing %q", err, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

func TestContainerStatusComplete(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	imageID := mustPull(ctx, t, r, "busybox:1.36")
	podID := mustRunPod(ctx, t, r, podConfig("web"))
	cfg := containerConfig("main", "busybox:1.36", "sleep")
	cfg.Mounts = []*runtimeapi.Mount{{ContainerPath: "/data", HostPath: "/tmp/data"}}
	cfg.Linux = &runtimeapi.LinuxContainerConfig{Resources: &runtimeapi.LinuxContainerResources{CpuShares: 2}}
	id := mustCreate(ctx, t, r, podID, cfg)

	resp, err := r.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id[:12], Verbose: true})
	if err != nil {
		t.Fatalf("ContainerStatus by prefix: %v", err)
	}
	st := resp.Status
	tests := []struct {
		name string
		got  any
		want any
	}{
		{name: "id", got: st.Id, want: id},
		{name: "metadata", got: st.Metadata.GetName(), want: "main"},
		{name: "image is normalized", got: st.Image.GetImage(), want: "docker.io/library/busybox:1.36"},
		{name: "user specified image", got: st.Image.GetUserSpecifiedImage(), want: "busybox:1.36"},
		{name: "image ref", got: st.ImageRef, want: imageID},
		{name: "log path", got: st.LogPath, want: "/var/log/pods/default_web/main/0.log"},
		{name: "labels", got: st.Labels["container"], want: "main"},
		{name: "mounts", got: st.Mounts[0].GetContainerPath(), want: "/data"},
		{name: "resources", got: st.Resources.GetLinux().GetCpuShares(), want: int64(2)},
		{name: "verbose info", got: strings.Contains(resp.Info["info"], podID), want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
			}
		})
	}
	t.Run("no environment values anywhere", func(t *testing.T) {
		list, err := r.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
		if err != nil {
			t.Fatalf("ListContainers: %v", err)
		}
		for _, m := range []proto.Message{resp, list} {
			if text := prototext.Format(m); strings.Contains(text, "hunter2") {
				t.Errorf("response echoes an environment value: %s", text)
			}
		}
	})
}

func TestRemoveContainer(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	podID, id := runningContainer(ctx, t, r, "web")
	for range 2 { // idempotent, and removes a running container
		if _, err := r.RemoveContainer(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: id}); err != nil {
			t.Fatalf("RemoveContainer: %v", err)
		}
	}
	_, err := r.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id})
	if status.Code(err) != codes.NotFound || !strings.Contains(err.Error(), id) {
		t.Errorf("ContainerStatus after remove error = %v, want NotFound naming %q", err, id)
	}
	if _, err := r.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: id}); err != nil {
		t.Errorf("StopContainer of a removed container: %v, want success", err)
	}
	// The name is free again.
	mustCreate(ctx, t, r, podID, containerConfig("main", "busybox"))
}

func TestUpdateContainerResources(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	_, id := runningContainer(ctx, t, r, "web")
	tests := []struct {
		name     string
		id       string
		wantCode codes.Code
	}{
		{name: "existing container", id: id, wantCode: codes.OK},
		{name: "unknown container", id: "0ff", wantCode: codes.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.UpdateContainerResources(ctx, &runtimeapi.UpdateContainerResourcesRequest{
				ContainerId: tt.id,
				Linux:       &runtimeapi.LinuxContainerResources{MemoryLimitInBytes: 64 << 20},
			})
			if status.Code(err) != tt.wantCode {
				t.Fatalf("UpdateContainerResources error = %v, want %v", err, tt.wantCode)
			}
			if err != nil {
				return
			}
			if got := containerState(ctx, t, r, id).Resources.GetLinux().GetMemoryLimitInBytes(); got != 64<<20 {
				t.Errorf("memory limit in status = %d, want %d", got, 64<<20)
			}
		})
	}
}
