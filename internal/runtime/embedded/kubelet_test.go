package embedded

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	cri "k8s.io/cri-client/pkg"
	"k8s.io/klog/v2"
	"k8s.io/klog/v2/ktesting"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// TestKubeletClient drives a whole pod lifecycle through kubelet's own CRI
// client, which rejects incomplete responses, once with the unary list
// calls and once with the streaming ones.
func TestKubeletClient(t *testing.T) {
	tests := []struct {
		name      string
		streaming bool
	}{
		{name: "unary lists", streaming: false},
		{name: "streaming lists", streaming: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := klog.NewContext(t.Context(), ktesting.NewLogger(t, ktesting.NewConfig()))
			r := newTestRuntime(t)
			endpoint := "unix://" + serve(t, r)
			rt, err := cri.NewRemoteRuntimeServiceBuilder().WithEndpoint(endpoint).
				WithConnectionTimeout(10 * time.Second).WithUseStreaming(tt.streaming).Build(ctx)
			if err != nil {
				t.Fatalf("runtime client: %v", err)
			}
			defer closeClient(t, rt.Close)
			img, err := cri.NewRemoteImageServiceBuilder().WithEndpoint(endpoint).
				WithConnectionTimeout(10 * time.Second).WithUseStreaming(tt.streaming).Build(ctx)
			if err != nil {
				t.Fatalf("image client: %v", err)
			}
			defer closeClient(t, img.Close)
			kubeletLifecycle(ctx, t, r, rt, img)
		})
	}
}

func closeClient(t *testing.T, closeFn func(context.Context) error) {
	if err := closeFn(context.WithoutCancel(t.Context())); err != nil {
		t.Errorf("closing client: %v", err)
	}
}

// kubeletLifecycle runs the calls kubelet makes for one pod, in order,
// each as a named step. A step that fails stops the sequence.
func kubeletLifecycle(ctx context.Context, t *testing.T, r *Runtime, rt internalapi.RuntimeService, img internalapi.ImageManagerService) {
	pod := podConfig("web")
	var podID, ctrID, failID, imageRef string
	events := make(chan *runtimeapi.ContainerEventResponse, 64)
	evCtx, stopEvents := context.WithCancel(ctx)
	evDone := make(chan error, 1)
	go func() { evDone <- rt.GetContainerEvents(evCtx, events, nil) }()
	defer func() {
		stopEvents()
		<-evDone
	}()
	testutil.WaitFor(t, 10*time.Second, "the event subscription", func() bool { return r.events.count() == 1 })

	steps := []struct {
		name string
		run  func() error
	}{
		{name: "Status", run: func() error {
			st, err := rt.Status(ctx, true)
			if err == nil && len(st.GetStatus().GetConditions()) != 2 {
				err = fmt.Errorf("conditions = %v, want two", st.GetStatus().GetConditions())
			}
			return err
		}},
		{name: "RuntimeConfig", run: func() error {
			_, err := rt.RuntimeConfig(ctx)
			return err
		}},
		{name: "PullImage", run: func() (err error) {
			imageRef, err = img.PullImage(ctx, &runtimeapi.ImageSpec{Image: "busybox"}, &runtimeapi.AuthConfig{Password: "hunter2"}, pod)
			return err
		}},
		{name: "ImageStatus", run: func() error {
			st, err := img.ImageStatus(ctx, &runtimeapi.ImageSpec{Image: "busybox"}, true)
			if err == nil && st.GetImage().GetId() != imageRef {
				err = fmt.Errorf("image = %v, want %q", st.GetImage(), imageRef)
			}
			return err
		}},
		{name: "ListImages", run: func() error { return wantLen(img.ListImages(ctx, nil))(1) }},
		{name: "RunPodSandbox", run: func() (err error) {
			podID, err = rt.RunPodSandbox(ctx, pod, "")
			return err
		}},
		{name: "PodSandboxStatus", run: func() error {
			st, err := rt.PodSandboxStatus(ctx, podID, true)
			if err == nil && st.GetStatus().GetNetwork().GetIp() != podIP {
				err = fmt.Errorf("pod ip = %q, want %q", st.GetStatus().GetNetwork().GetIp(), podIP)
			}
			return err
		}},
		{name: "ListPodSandbox", run: func() error { return wantLen(rt.ListPodSandbox(ctx, nil))(1) }},
		{name: "CreateContainer", run: func() (err error) {
			ctrID, err = rt.CreateContainer(ctx, podID, containerConfig("main", "busybox", "sleep", "3600"), pod)
			return err
		}},
		{name: "StartContainer", run: func() error { return rt.StartContainer(ctx, ctrID) }},
		{name: "ContainerStatus", run: func() error {
			st, err := rt.ContainerStatus(ctx, ctrID, true)
			if err == nil && st.GetStatus().GetState() != runtimeapi.ContainerState_CONTAINER_RUNNING {
				err = fmt.Errorf("state = %v, want RUNNING", st.GetStatus().GetState())
			}
			return err
		}},
		{name: "ListContainers", run: func() error { return wantLen(rt.ListContainers(ctx, nil))(1) }},
		{name: "ExecSync", run: func() error {
			stdout, _, err := rt.ExecSync(ctx, ctrID, []string{"echo", "ok"}, time.Second)
			if err == nil && string(stdout) != "ok\n" {
				err = fmt.Errorf("stdout = %q, want %q", stdout, "ok\n")
			}
			return err
		}},
		{name: "UpdateContainerResources", run: func() error {
			return rt.UpdateContainerResources(ctx, ctrID, &runtimeapi.ContainerResources{Linux: &runtimeapi.LinuxContainerResources{CpuShares: 512}})
		}},
		{name: "ContainerStats", run: func() error {
			_, err := rt.ContainerStats(ctx, ctrID)
			return err
		}},
		{name: "ListContainerStats", run: func() error { return wantLen(rt.ListContainerStats(ctx, nil))(1) }},
		{name: "PodSandboxStats", run: func() error {
			_, err := rt.PodSandboxStats(ctx, podID)
			return err
		}},
		{name: "ListPodSandboxStats", run: func() error { return wantLen(rt.ListPodSandboxStats(ctx, nil))(1) }},
		{name: "ListPodSandboxMetrics", run: func() error { return wantLen(rt.ListPodSandboxMetrics(ctx))(0) }},
		{name: "ImageFsInfo", run: func() error {
			fs, err := img.ImageFsInfo(ctx)
			if err == nil && fs.GetImageFilesystems()[0].GetUsedBytes().GetValue() == 0 {
				err = fmt.Errorf("image filesystem is empty: %v", fs)
			}
			return err
		}},
		{name: "StartContainer of a failing container", run: func() (err error) {
			failID, err = rt.CreateContainer(ctx, podID, containerConfig("fail", "busybox", FailingCommand), pod)
			if err != nil {
				return err
			}
			if err := rt.StartContainer(ctx, failID); status.Code(err) != codes.FailedPrecondition {
				return fmt.Errorf("StartContainer error = %v, want FailedPrecondition", err)
			}
			st, err := rt.ContainerStatus(ctx, failID, false)
			if err == nil && st.GetStatus().GetExitCode() != FailingExitCode {
				err = fmt.Errorf("exit code = %d, want %d", st.GetStatus().GetExitCode(), FailingExitCode)
			}
			return err
		}},
		{name: "Exec is unimplemented", run: func() error {
			if _, err := rt.Exec(ctx, &runtimeapi.ExecRequest{ContainerId: ctrID, Cmd: []string{"sh"}}); status.Code(err) != codes.Unimplemented {
				return fmt.Errorf("Exec error = %v, want Unimplemented", err)
			}
			return nil
		}},
		{name: "StopContainer", run: func() error { return rt.StopContainer(ctx, ctrID, 30) }},
		{name: "StopPodSandbox", run: func() error { return rt.StopPodSandbox(ctx, podID) }},
		{name: "RemoveContainer", run: func() error { return rt.RemoveContainer(ctx, ctrID) }},
		{name: "RemovePodSandbox", run: func() error { return rt.RemovePodSandbox(ctx, podID) }},
		{name: "PodSandboxStatus of a removed sandbox", run: func() error {
			if _, err := rt.PodSandboxStatus(ctx, podID, false); status.Code(err) != codes.NotFound {
				return fmt.Errorf("error = %v, want NotFound", err)
			}
			return nil
		}},
		{name: "RemoveImage", run: func() error { return img.RemoveImage(ctx, &runtimeapi.ImageSpec{Image: imageRef}) }},
		{name: "GetContainerEvents saw the pod's deletion", run: func() error {
			for {
				select {
				case ev := <-events:
					if ev.ContainerId == podID && ev.ContainerEventType == runtimeapi.ContainerEventType_CONTAINER_DELETED_EVENT {
						return nil
					}
				case err := <-evDone:
					return fmt.Errorf("event stream ended: %w", err)
				case <-time.After(10 * time.Second):
					return errors.New("no CONTAINER_DELETED_EVENT for the pod")
				}
			}
		}},
	}
	for _, step := range steps {
		if !t.Run(step.name, func(t *testing.T) {
			if err := step.run(); err != nil {
				t.Fatal(err)
			}
		}) {
			return
		}
	}
}

// wantLen checks the length of a list a client call returned.
func wantLen[T any](items []T, err error) func(int) error {
	return func(n int) error {
		if err != nil {
			return err
		}
		if len(items) != n {
			return fmt.Errorf("got %d items, want %d", len(items), n)
		}
		return nil
	}
}
