package embedded

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// stepClock is a clock that moves forward by step on every reading, so
// successive timestamps are distinct and ordered.
type stepClock struct {
	ns   atomic.Int64
	step time.Duration
}

func newStepClock() *stepClock {
	c := &stepClock{step: time.Millisecond}
	c.ns.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *stepClock) Now() time.Time {
	return time.Unix(0, c.ns.Add(int64(c.step))).UTC()
}

func newTestRuntime(t *testing.T) *Runtime {
	t.Helper()
	r := New(Options{Now: newStepClock().Now})
	t.Cleanup(r.Close)
	return r
}

func podConfig(name string) *runtimeapi.PodSandboxConfig {
	return &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: name, Namespace: "default", Uid: "uid-" + name},
		Labels:       map[string]string{"app": name},
		LogDirectory: "/var/log/pods/default_" + name,
	}
}

func containerConfig(name, img string, argv ...string) *runtimeapi.ContainerConfig {
	return &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: name},
		Image:    &runtimeapi.ImageSpec{Image: img},
		Command:  argv,
		Labels:   map[string]string{"container": name},
		LogPath:  name + "/0.log",
		Envs:     []*runtimeapi.KeyValue{{Key: "SECRET", Value: []byte("hunter2")}},
	}
}

func mustPull(ctx context.Context, t *testing.T, r *Runtime, img string) string {
	t.Helper()
	resp, err := r.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: img}})
	if err != nil {
		t.Fatalf("PullImage(%q): %v", img, err)
	}
	return resp.ImageRef
}

func mustRunPod(ctx context.Context, t *testing.T, r *Runtime, cfg *runtimeapi.PodSandboxConfig) string {
	t.Helper()
	resp, err := r.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: cfg})
	if err != nil {
		t.Fatalf("RunPodSandbox(%q): %v", cfg.GetMetadata().GetName(), err)
	}
	return resp.PodSandboxId
}

func mustCreate(ctx context.Context, t *testing.T, r *Runtime, podID string, cfg *runtimeapi.ContainerConfig) string {
	t.Helper()
	resp, err := r.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: podID, Config: cfg})
	if err != nil {
		t.Fatalf("CreateContainer(%q): %v", cfg.GetMetadata().GetName(), err)
	}
	return resp.ContainerId
}

// runningContainer pulls busybox, runs a pod and starts a container in it.
func runningContainer(ctx context.Context, t *testing.T, r *Runtime, name string) (podID, ctrID string) {
	t.Helper()
	mustPull(ctx, t, r, "busybox")
	podID = mustRunPod(ctx, t, r, podConfig(name))
	ctrID = mustCreate(ctx, t, r, podID, containerConfig("main", "busybox", "sleep", "inf"))
	if _, err := r.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ctrID}); err != nil {
		t.Fatalf("StartContainer: %v", err)
	}
	return podID, ctrID
}

func containerState(ctx context.Context, t *testing.T, r *Runtime, id string) *runtimeapi.ContainerStatus {
	t.Helper()
	resp, err := r.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id})
	if err != nil {
		t.Fatalf("ContainerStatus(%q): %v", id, err)
	}
	return resp.Status
}
