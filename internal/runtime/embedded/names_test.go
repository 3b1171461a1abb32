package embedded

import (
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestNames(t *testing.T) {
	pod := &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "shop", Uid: "u1", Attempt: 2}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{name: "sandbox", got: sandboxName(pod), want: "web_shop_u1_2"},
		{name: "container", got: containerName(&runtimeapi.ContainerMetadata{Name: "nginx", Attempt: 3}, pod), want: "nginx_web_shop_u1_3"},
		{name: "container of first attempt", got: containerName(&runtimeapi.ContainerMetadata{Name: "nginx"}, pod), want: "nginx_web_shop_u1_0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("name = %q, want %q", tt.got, tt.want)
			}
		})
	}
}
