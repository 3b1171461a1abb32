package server

import (
	"context"
	"fmt"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/criattrs"
)

// TestServerIndexBound drives the Server's own index past a small limit
// through RunPodSandbox and checks the oldest pod is forgotten while the
// newest is still named.
func TestServerIndexBound(t *testing.T) {
	var next int
	backend := &fakeBackend{hooks: map[string]func(context.Context, any) (any, error){
		"RunPodSandbox": func(context.Context, any) (any, error) {
			next++
			return &runtimeapi.RunPodSandboxResponse{PodSandboxId: fmt.Sprintf("sb-%d", next)}, nil
		},
	}}
	s := New(backend, Options{})
	s.attrs = criattrs.New(2)
	for i := range 3 {
		cfg := validPodConfig()
		cfg.Metadata.Name = fmt.Sprintf("pod-%d", i+1)
		if _, err := s.RunPodSandbox(t.Context(), &runtimeapi.RunPodSandboxRequest{Config: cfg}); err != nil {
			t.Fatalf("RunPodSandbox: %v", err)
		}
	}
	cases := []struct {
		name    string
		id      string
		wantPod string
	}{
		{"oldest evicted", "sb-1", ""},
		{"middle kept", "sb-2", "pod-2"},
		{"newest kept", "sb-3", "pod-3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var pod string
			for _, kv := range s.attrs.Request(&runtimeapi.StopPodSandboxRequest{PodSandboxId: tc.id}) {
				if kv.Key == AttrPodName {
					pod = kv.Value.AsString()
				}
			}
			if pod != tc.wantPod {
				t.Fatalf("%s: pod name %q, want %q", tc.id, pod, tc.wantPod)
			}
		})
	}
}

// seedSandbox teaches s's index a sandbox, as a successful RunPodSandbox
// would.
func seedSandbox(s *Server, id string, md *runtimeapi.PodSandboxMetadata, handler string) {
	s.attrs.Observe(context.Background(),
		&runtimeapi.RunPodSandboxRequest{Config: &runtimeapi.PodSandboxConfig{Metadata: md}, RuntimeHandler: handler},
		&runtimeapi.RunPodSandboxResponse{PodSandboxId: id})
}

// seedContainer teaches s's index a container, as a successful
// CreateContainer would.
func seedContainer(s *Server, id, sandboxID, name, image string) {
	s.attrs.Observe(context.Background(),
		&runtimeapi.CreateContainerRequest{PodSandboxId: sandboxID, Config: &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: name}, Image: &runtimeapi.ImageSpec{Image: image}}},
		&runtimeapi.CreateContainerResponse{ContainerId: id})
}
