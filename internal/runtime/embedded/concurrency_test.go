package embedded

import (
	"fmt"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestConcurrentLifecycles runs many pod lifecycles, readers and racing
// RunPodSandbox calls at once; under -race it proves the store is guarded,
// and the end state proves nothing leaked or got lost.
func TestConcurrentLifecycles(t *testing.T) {
	tests := []struct {
		name    string
		workers int
		rounds  int
	}{
		{name: "few workers many rounds", workers: 4, rounds: 25},
		{name: "many workers", workers: 32, rounds: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			r := newTestRuntime(t)
			mustPull(ctx, t, r, "busybox")
			sub := r.events.subscribe() // a subscriber that never reads
			defer r.events.unsubscribe(sub)

			var wg sync.WaitGroup
			errs := make(chan error, tt.workers*tt.rounds*2)
			for w := range tt.workers {
				wg.Go(func() {
					for i := range tt.rounds {
						if err := lifecycle(t, r, fmt.Sprintf("w%d-r%d", w, i)); err != nil {
							errs <- err
						}
					}
				})
				wg.Go(func() { // readers
					for range tt.rounds {
						if _, err := r.ListContainerStats(ctx, &runtimeapi.ListContainerStatsRequest{}); err != nil {
							errs <- err
						}
						if _, err := r.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{}); err != nil {
							errs <- err
						}
					}
				})
			}
			// Racing RunPodSandbox for one pod: exactly one wins.
			var won sync.Map
			for range tt.workers {
				wg.Go(func() {
					resp, err := r.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: podConfig("contended")})
					switch status.Code(err) {
					case codes.OK:
						won.Store(resp.PodSandboxId, true)
					case codes.AlreadyExists:
					default:
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			winners := 0
			won.Range(func(any, any) bool { winners++; return true })
			list, err := r.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
			if err != nil {
				t.Fatalf("ListPodSandbox: %v", err)
			}
			ctrs, err := r.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
			if err != nil {
				t.Fatalf("ListContainers: %v", err)
			}
			if winners != 1 || len(list.Items) != 1 || len(ctrs.Containers) != 0 {
				t.Errorf("end state: %d winners, %d sandboxes, %d containers; want 1, 1, 0", winners, len(list.Items), len(ctrs.Containers))
			}
		})
	}
}

// lifecycle runs one pod through its whole life.
func lifecycle(t *testing.T, r *Runtime, name string) error {
	ctx := t.Context()
	pod, err := r.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: podConfig(name)})
	if err != nil {
		return fmt.Errorf("run %q: %w", name, err)
	}
	ctr, err := r.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: pod.PodSandboxId, Config: containerConfig("main", "busybox")})
	if err != nil {
		return fmt.Errorf("create in %q: %w", name, err)
	}
	if _, err := r.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ctr.ContainerId}); err != nil {
		return fmt.Errorf("start %q: %w", ctr.ContainerId, err)
	}
	if _, err := r.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: ctr.ContainerId}); err != nil {
		return fmt.Errorf("status %q: %w", ctr.ContainerId, err)
	}
	if _, err := r.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: pod.PodSandboxId}); err != nil {
		return fmt.Errorf("stop %q: %w", pod.PodSandboxId, err)
	}
	if _, err := r.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: pod.PodSandboxId}); err != nil {
		return fmt.Errorf("remove %q: %w", pod.PodSandboxId, err)
	}
	return nil
}
