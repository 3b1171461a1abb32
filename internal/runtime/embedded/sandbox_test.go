package embedded

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestRunPodSandbox(t *testing.T) {
	hostNet := podConfig("host")
	hostNet.Linux = &runtimeapi.LinuxPodSandboxConfig{SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
		NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE},
	}}
	noUID := podConfig("nouid")
	noUID.Metadata.Uid = ""
	tests := []struct {
		name     string
		cfg      *runtimeapi.PodSandboxConfig
		wantIP   string
		wantCode codes.Code
		wantMsg  string
	}{
		{name: "pod network gets loopback address", cfg: podConfig("web"), wantIP: podIP},
		{name: "host network gets no address", cfg: hostNet, wantIP: ""},
		{name: "missing config", cfg: nil, wantCode: codes.InvalidArgument, wantMsg: "config is required"},
		{name: "missing uid", cfg: noUID, wantCode: codes.InvalidArgument, wantMsg: "config.metadata.uid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			r := newTestRuntime(t)
			resp, err := r.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: tt.cfg})
			if st := status.Convert(err); st.Code() != tt.wantCode || !strings.Contains(st.Message(), tt.wantMsg) {
				t.Fatalf("RunPodSandbox error = %v, want code %v containing %q", err, tt.wantCode, tt.wantMsg)
			}
			if err != nil {
				return
			}
			st, err := r.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: resp.PodSandboxId})
			if err != nil {
				t.Fatalf("PodSandboxStatus: %v", err)
			}
			s := st.Status
			if s.Id != resp.PodSandboxId || s.State != runtimeapi.PodSandboxState_SANDBOX_READY || s.CreatedAt == 0 ||
				s.Metadata.GetName() != tt.cfg.Metadata.Name || s.Labels["app"] != tt.cfg.Metadata.Name {
				t.Errorf("status = %v, want READY sandbox %q with metadata, labels and creation time", s, resp.PodSandboxId)
			}
			if got := s.GetNetwork().GetIp(); got != tt.wantIP {
				t.Errorf("network ip = %q, want %q", got, tt.wantIP)
			}
		})
	}
}

func TestRunPodSandboxNames(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	first := mustRunPod(ctx, t, r, podConfig("web"))

	_, err := r.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: podConfig("web")})
	if status.Code(err) != codes.AlreadyExists || !strings.Contains(err.Error(), first) {
		t.Fatalf("duplicate RunPodSandbox error = %v, want AlreadyExists naming %q", err, first)
	}
	next := podConfig("web")
	next.Metadata.Attempt = 1
	mustRunPod(ctx, t, r, next)

	if _, err := r.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: first}); err != nil {
		t.Fatalf("RemovePodSandbox: %v", err)
	}
	if again := mustRunPod(ctx, t, r, podConfig("web")); again == first {
		t.Errorf("new sandbox reused id %q", first)
	}
}

func TestStopAndRemovePodSandbox(t *testing.T) {
	tests := []struct {
		name string
		stop bool // StopPodSandbox before RemovePodSandbox
	}{
		{name: "stop then remove", stop: true},
		{name: "remove a ready sandbox", stop: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			r := newTestRuntime(t)
			podID, ctrID := runningContainer(ctx, t, r, "web")
			if tt.stop {
				for range 2 { // idempotent
					if _, err := r.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: podID}); err != nil {
						t.Fatalf("StopPodSandbox: %v", err)
					}
				}
				st, err := r.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: podID})
				if err != nil || st.Status.State != runtimeapi.PodSandboxState_SANDBOX_NOTREADY {
					t.Fatalf("PodSandboxStatus after stop = %v, %v; want NOTREADY", st, err)
				}
				if c := containerState(ctx, t, r, ctrID); c.State != runtimeapi.ContainerState_CONTAINER_EXITED || c.ExitCode != 0 {
					t.Errorf("container after StopPodSandbox = %v exit %d, want EXITED exit 0", c.State, c.ExitCode)
				}
				_, err = r.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: podID, Config: containerConfig("late", "busybox")})
				if status.Code(err) != codes.FailedPrecondition {
					t.Errorf("CreateContainer in a stopped sandbox error = %v, want FailedPrecondition", err)
				}
			}
			for range 2 { // idempotent
				if _, err := r.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: podID}); err != nil {
					t.Fatalf("RemovePodSandbox: %v", err)
				}
			}
			_, err := r.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: podID})
			if status.Code(err) != codes.NotFound || !strings.Contains(err.Error(), podID) {
				t.Errorf("PodSandboxStatus after remove error = %v, want NotFound naming %q", err, podID)
			}
			_, err = r.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: ctrID})
			if status.Code(err) != codes.NotFound {
				t.Errorf("ContainerStatus of a removed pod's container error = %v, want NotFound", err)
			}
			if _, err := r.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: podID}); err != nil {
				t.Errorf("StopPodSandbox of a removed sandbox: %v, want success", err)
			}
		})
	}
}

func TestUpdatePodSandboxResources(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	podID := mustRunPod(ctx, t, r, podConfig("web"))
	tests := []struct {
		name     string
		id       string
		wantCode codes.Code
	}{
		{name: "existing sandbox", id: podID, wantCode: codes.OK},
		{name: "unknown sandbox", id: "feed", wantCode: codes.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.UpdatePodSandboxResources(ctx, &runtimeapi.UpdatePodSandboxResourcesRequest{PodSandboxId: tt.id})
			if status.Code(err) != tt.wantCode {
				t.Errorf("UpdatePodSandboxResources(%q) error = %v, want %v", tt.id, err, tt.wantCode)
			}
		})
	}
}
