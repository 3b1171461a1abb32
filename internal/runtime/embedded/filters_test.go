package embedded

import (
	"slices"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestListFilters(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	webPod, webCtr := runningContainer(ctx, t, r, "web")
	dbPod := mustRunPod(ctx, t, r, podConfig("db"))
	dbCtr := mustCreate(ctx, t, r, dbPod, containerConfig("postgres", "busybox"))
	if _, err := r.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: dbPod}); err != nil {
		t.Fatalf("StopPodSandbox: %v", err)
	}

	sandboxTests := []struct {
		name   string
		filter *runtimeapi.PodSandboxFilter
		want   []string
	}{
		{name: "no filter lists oldest first", filter: nil, want: []string{webPod, dbPod}},
		{name: "id prefix", filter: &runtimeapi.PodSandboxFilter{Id: dbPod[:8]}, want: []string{dbPod}},
		{name: "ready", filter: &runtimeapi.PodSandboxFilter{State: &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_READY}}, want: []string{webPod}},
		{name: "not ready", filter: &runtimeapi.PodSandboxFilter{State: &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_NOTREADY}}, want: []string{dbPod}},
		{name: "label selector", filter: &runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{"app": "web"}}, want: []string{webPod}},
		{name: "label selector without match", filter: &runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{"app": "web", "tier": "x"}}, want: nil},
	}
	for _, tt := range sandboxTests {
		t.Run("sandboxes/"+tt.name, func(t *testing.T) {
			resp, err := r.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: tt.filter})
			if err != nil {
				t.Fatalf("ListPodSandbox: %v", err)
			}
			var got []string
			for _, s := range resp.Items {
				got = append(got, s.Id)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ListPodSandbox = %q, want %q", got, tt.want)
			}
		})
	}

	containerTests := []struct {
		name   string
		filter *runtimeapi.ContainerFilter
		want   []string
	}{
		{name: "no filter lists oldest first", filter: nil, want: []string{webCtr, dbCtr}},
		{name: "id prefix", filter: &runtimeapi.ContainerFilter{Id: webCtr[:5]}, want: []string{webCtr}},
		{name: "running", filter: &runtimeapi.ContainerFilter{State: &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_RUNNING}}, want: []string{webCtr}},
		{name: "created", filter: &runtimeapi.ContainerFilter{State: &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_CREATED}}, want: []string{dbCtr}},
		{name: "pod sandbox id", filter: &runtimeapi.ContainerFilter{PodSandboxId: dbPod}, want: []string{dbCtr}},
		{name: "pod sandbox id prefix", filter: &runtimeapi.ContainerFilter{PodSandboxId: webPod[:6]}, want: []string{webCtr}},
		{name: "label selector", filter: &runtimeapi.ContainerFilter{LabelSelector: map[string]string{"container": "postgres"}}, want: []string{dbCtr}},
		{name: "everything at once", filter: &runtimeapi.ContainerFilter{
			Id: webCtr, PodSandboxId: webPod, LabelSelector: map[string]string{"container": "main"},
			State: &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_RUNNING},
		}, want: []string{webCtr}},
	}
	for _, tt := range containerTests {
		t.Run("containers/"+tt.name, func(t *testing.T) {
			resp, err := r.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: tt.filter})
			if err != nil {
				t.Fatalf("ListContainers: %v", err)
			}
			var got []string
			for _, c := range resp.Containers {
				got = append(got, c.Id)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ListContainers = %q, want %q", got, tt.want)
			}
		})
	}
}
