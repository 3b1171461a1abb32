package embedded

import (
	"slices"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestStatsGrowAndFreeze(t *testing.T) {
	ctx := t.Context()
	clock := newStepClock()
	clock.step = time.Second
	r := New(Options{Now: clock.Now})
	defer r.Close()
	podID, ctrID := runningContainer(ctx, t, r, "web")
	idle := mustCreate(ctx, t, r, podID, containerConfig("idle", "busybox"))

	read := func() (cpu, mem uint64) {
		t.Helper()
		resp, err := r.ContainerStats(ctx, &runtimeapi.ContainerStatsRequest{ContainerId: ctrID})
		if err != nil {
			t.Fatalf("ContainerStats: %v", err)
		}
		return resp.Stats.GetCpu().GetUsageCoreNanoSeconds().GetValue(), resp.Stats.GetMemory().GetWorkingSetBytes().GetValue()
	}
	cpu1, mem1 := read()
	cpu2, mem2 := read()
	if _, err := r.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: ctrID}); err != nil {
		t.Fatalf("StopContainer: %v", err)
	}
	cpu3, mem3 := read()
	cpu4, mem4 := read()
	idleStats, err := r.ContainerStats(ctx, &runtimeapi.ContainerStatsRequest{ContainerId: idle})
	if err != nil {
		t.Fatalf("ContainerStats: %v", err)
	}
	tests := []struct {
		name string
		ok   bool
	}{
		{name: "running container uses cpu", ok: cpu1 > 0 && mem1 >= memoryBase},
		{name: "cpu and memory grow while running", ok: cpu2 > cpu1 && mem2 > mem1},
		{name: "stop does not shrink usage", ok: cpu3 >= cpu2 && mem3 >= mem2},
		{name: "exited container is frozen", ok: cpu4 == cpu3 && mem4 == mem3},
		{name: "never started container is zero", ok: idleStats.Stats.GetCpu().GetUsageCoreNanoSeconds().GetValue() == 0},
		{name: "attributes name the container", ok: idleStats.Stats.GetAttributes().GetMetadata().GetName() == "idle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Errorf("cpu %d %d %d %d, memory %d %d %d %d", cpu1, cpu2, cpu3, cpu4, mem1, mem2, mem3, mem4)
			}
		})
	}
}

func TestStatsListExactlyExistingObjects(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	webPod, webCtr := runningContainer(ctx, t, r, "web")
	dbPod := mustRunPod(ctx, t, r, podConfig("db"))
	dbCtr := mustCreate(ctx, t, r, dbPod, containerConfig("postgres", "busybox"))
	gonePod := mustRunPod(ctx, t, r, podConfig("gone"))
	mustCreate(ctx, t, r, gonePod, containerConfig("x", "busybox"))
	if _, err := r.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: gonePod}); err != nil {
		t.Fatalf("RemovePodSandbox: %v", err)
	}

	containerTests := []struct {
		name   string
		filter *runtimeapi.ContainerStatsFilter
		want   []string
	}{
		{name: "all", want: []string{webCtr, dbCtr}},
		{name: "by sandbox", filter: &runtimeapi.ContainerStatsFilter{PodSandboxId: dbPod}, want: []string{dbCtr}},
		{name: "by id prefix", filter: &runtimeapi.ContainerStatsFilter{Id: webCtr[:10]}, want: []string{webCtr}},
		{name: "by label", filter: &runtimeapi.ContainerStatsFilter{LabelSelector: map[string]string{"container": "postgres"}}, want: []string{dbCtr}},
	}
	for _, tt := range containerTests {
		t.Run("containers/"+tt.name, func(t *testing.T) {
			resp, err := r.ListContainerStats(ctx, &runtimeapi.ListContainerStatsRequest{Filter: tt.filter})
			if err != nil {
				t.Fatalf("ListContainerStats: %v", err)
			}
			var got []string
			for _, s := range resp.Stats {
				got = append(got, s.Attributes.Id)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ListContainerStats = %q, want %q", got, tt.want)
			}
		})
	}

	sandboxTests := []struct {
		name   string
		filter *runtimeapi.PodSandboxStatsFilter
		want   []string
	}{
		{name: "all", want: []string{webPod, dbPod}},
		{name: "by label", filter: &runtimeapi.PodSandboxStatsFilter{LabelSelector: map[string]string{"app": "db"}}, want: []string{dbPod}},
	}
	for _, tt := range sandboxTests {
		t.Run("sandboxes/"+tt.name, func(t *testing.T) {
			resp, err := r.ListPodSandboxStats(ctx, &runtimeapi.ListPodSandboxStatsRequest{Filter: tt.filter})
			if err != nil {
				t.Fatalf("ListPodSandboxStats: %v", err)
			}
			var got []string
			for _, s := range resp.Stats {
				got = append(got, s.Attributes.Id)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ListPodSandboxStats = %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("sandbox sums its containers", func(t *testing.T) {
		resp, err := r.PodSandboxStats(ctx, &runtimeapi.PodSandboxStatsRequest{PodSandboxId: webPod})
		if err != nil {
			t.Fatalf("PodSandboxStats: %v", err)
		}
		linux := resp.Stats.GetLinux()
		if len(linux.GetContainers()) != 1 || linux.Containers[0].Attributes.Id != webCtr {
			t.Fatalf("sandbox stats containers = %v, want only %q", linux.GetContainers(), webCtr)
		}
		if pod, ctr := linux.GetMemory().GetWorkingSetBytes().GetValue(), linux.Containers[0].GetMemory().GetWorkingSetBytes().GetValue(); pod != ctr+infraMemory {
			t.Errorf("sandbox memory = %d, want container %d + infra %d", pod, ctr, infraMemory)
		}
	})
}
