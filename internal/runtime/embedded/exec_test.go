package embedded

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestExecSync(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	podID, running := runningContainer(ctx, t, r, "web")
	created := mustCreate(ctx, t, r, podID, containerConfig("side", "busybox"))
	tests := []struct {
		name       string
		id         string
		cmd        []string
		wantCode   codes.Code
		wantStdout string
		wantExit   int32
	}{
		{name: "echo", id: running, cmd: []string{"echo", "hello", "world"}, wantStdout: "hello world\n"},
		{name: "failing command", id: running, cmd: []string{FailingCommand}, wantExit: FailingExitCode},
		{name: "other command", id: running, cmd: []string{"ls", "/"}},
		{name: "not running", id: created, cmd: []string{"echo"}, wantCode: codes.FailedPrecondition},
		{name: "unknown container", id: "aaaa", cmd: []string{"echo"}, wantCode: codes.NotFound},
		{name: "no command", id: running, cmd: nil, wantCode: codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := r.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: tt.id, Cmd: tt.cmd})
			if status.Code(err) != tt.wantCode {
				t.Fatalf("ExecSync error = %v, want %v", err, tt.wantCode)
			}
			if got := string(resp.GetStdout()); got != tt.wantStdout || resp.GetExitCode() != tt.wantExit {
				t.Errorf("ExecSync = stdout %q exit %d, want %q exit %d", got, resp.GetExitCode(), tt.wantStdout, tt.wantExit)
			}
		})
	}
}

func TestUnimplemented(t *testing.T) {
	r := newTestRuntime(t)
	tests := []struct {
		name string
		call func(context.Context) error
	}{
		{name: "Exec", call: func(ctx context.Context) error { _, err := r.Exec(ctx, &runtimeapi.ExecRequest{}); return err }},
		{name: "Attach", call: func(ctx context.Context) error { _, err := r.Attach(ctx, &runtimeapi.AttachRequest{}); return err }},
		{name: "PortForward", call: func(ctx context.Context) error {
			_, err := r.PortForward(ctx, &runtimeapi.PortForwardRequest{})
			return err
		}},
		{name: "ReopenContainerLog", call: func(ctx context.Context) error {
			_, err := r.ReopenContainerLog(ctx, &runtimeapi.ReopenContainerLogRequest{})
			return err
		}},
		{name: "CheckpointContainer", call: func(ctx context.Context) error {
			_, err := r.CheckpointContainer(ctx, &runtimeapi.CheckpointContainerRequest{})
			return err
		}},
		{name: "CheckpointPod", call: func(ctx context.Context) error {
			_, err := r.CheckpointPod(ctx, &runtimeapi.CheckpointPodRequest{})
			return err
		}},
		{name: "RestorePod", call: func(ctx context.Context) error {
			_, err := r.RestorePod(ctx, &runtimeapi.RestorePodRequest{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(t.Context())
			if st := status.Convert(err); st.Code() != codes.Unimplemented || !strings.Contains(st.Message(), "--runtime-endpoint") {
				t.Errorf("%s error = %v, want Unimplemented pointing to --runtime-endpoint", tt.name, err)
			}
		})
	}
}

func TestRuntimeInfo(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	v, err := r.Version(ctx, &runtimeapi.VersionRequest{})
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	st, err := r.Status(ctx, &runtimeapi.StatusRequest{Verbose: true})
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	cfg, err := r.RuntimeConfig(ctx, &runtimeapi.RuntimeConfigRequest{})
	if err != nil {
		t.Fatalf("RuntimeConfig: %v", err)
	}
	if _, err := r.UpdateRuntimeConfig(ctx, &runtimeapi.UpdateRuntimeConfigRequest{}); err != nil {
		t.Fatalf("UpdateRuntimeConfig: %v", err)
	}
	conditions := map[string]bool{}
	for _, c := range st.Status.Conditions {
		conditions[c.Type] = c.Status
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{name: "version", got: v.Version, want: "0.1.0"},
		{name: "runtime name", got: v.RuntimeName, want: "crio-trace"},
		{name: "runtime version", got: v.RuntimeVersion, want: RuntimeVersion},
		{name: "api version", got: v.RuntimeApiVersion, want: "v1"},
		{name: "runtime ready", got: conditions[runtimeapi.RuntimeReady], want: true},
		{name: "network ready", got: conditions[runtimeapi.NetworkReady], want: true},
		{name: "verbose info", got: strings.Contains(st.Info["info"], `"embedded":true`), want: true},
		{name: "cgroup driver", got: cfg.GetLinux().GetCgroupDriver(), want: runtimeapi.CgroupDriver_CGROUPFS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
			}
		})
	}
}
