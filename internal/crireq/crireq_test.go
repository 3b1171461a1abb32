package crireq

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestPodSandboxConfig(t *testing.T) {
	md := func(name, namespace, uid string) *runtimeapi.PodSandboxConfig {
		return &runtimeapi.PodSandboxConfig{Metadata: &runtimeapi.PodSandboxMetadata{Name: name, Namespace: namespace, Uid: uid}}
	}
	tests := []struct {
		name    string
		cfg     *runtimeapi.PodSandboxConfig
		wantMsg string // "" means valid
	}{
		{name: "complete", cfg: md("web", "default", "u-1")},
		{name: "no config", cfg: nil, wantMsg: "config is required"},
		{name: "no metadata", cfg: &runtimeapi.PodSandboxConfig{}, wantMsg: "config.metadata is required"},
		{name: "no name", cfg: md("", "default", "u-1"), wantMsg: "config.metadata.name is required"},
		{name: "no namespace", cfg: md("web", "", "u-1"), wantMsg: "config.metadata.namespace is required"},
		{name: "no uid", cfg: md("web", "default", ""), wantMsg: "config.metadata.uid is required"},
		{name: "outermost missing field first", cfg: md("", "", ""), wantMsg: "config.metadata.name is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := PodSandboxConfig(tc.cfg)
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("PodSandboxConfig: %v, want nil", err)
				}
				return
			}
			st, ok := status.FromError(err)
			if !ok || st.Code() != codes.InvalidArgument || st.Message() != tc.wantMsg {
				t.Fatalf("PodSandboxConfig = %v, want InvalidArgument %q", err, tc.wantMsg)
			}
		})
	}
}
