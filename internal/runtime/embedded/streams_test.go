package embedded

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// drain receives every message of a server stream and returns the ids of
// their items, and the number of messages.
func drain[M any](t *testing.T, stream grpc.ServerStreamingClient[M], ids func(*M) []string) ([]string, int) {
	t.Helper()
	var (
		out  []string
		msgs int
	)
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return out, msgs
		}
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		msgs++
		out = append(out, ids(m)...)
	}
}

func TestStreamsMatchLists(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	conn := dial(t, serve(t, r))
	rt, img := runtimeapi.NewRuntimeServiceClient(conn), runtimeapi.NewImageServiceClient(conn)

	mustPull(ctx, t, r, "busybox")
	mustPull(ctx, t, r, "nginx")
	var pods, ctrs []string
	for i := range streamBatch + 20 {
		pod := mustRunPod(ctx, t, r, podConfig(fmt.Sprintf("pod%d", i)))
		pods = append(pods, pod)
		if i%50 == 0 {
			ctrs = append(ctrs, mustCreate(ctx, t, r, pod, containerConfig("main", "nginx")))
		}
	}
	imgs := []string{}
	list, err := r.ListImages(ctx, &runtimeapi.ListImagesRequest{})
	if err != nil {
		t.Fatalf("ListImages: %v", err)
	}
	for _, i := range list.Images {
		imgs = append(imgs, i.Id)
	}

	tests := []struct {
		name     string
		stream   func() ([]string, int)
		want     []string
		wantMsgs int
	}{
		{name: "StreamPodSandboxes", want: pods, wantMsgs: 2, stream: func() ([]string, int) {
			s, err := rt.StreamPodSandboxes(ctx, &runtimeapi.StreamPodSandboxesRequest{})
			if err != nil {
				t.Fatalf("StreamPodSandboxes: %v", err)
			}
			return drain(t, s, func(m *runtimeapi.StreamPodSandboxesResponse) (ids []string) {
				for _, p := range m.PodSandboxes {
					ids = append(ids, p.Id)
				}
				return ids
			})
		}},
		{name: "StreamContainers", want: ctrs, wantMsgs: 1, stream: func() ([]string, int) {
			s, err := rt.StreamContainers(ctx, &runtimeapi.StreamContainersRequest{})
			if err != nil {
				t.Fatalf("StreamContainers: %v", err)
			}
			return drain(t, s, func(m *runtimeapi.StreamContainersResponse) (ids []string) {
				for _, c := range m.Containers {
					ids = append(ids, c.Id)
				}
				return ids
			})
		}},
		{name: "StreamImages", want: imgs, wantMsgs: 1, stream: func() ([]string, int) {
			s, err := img.StreamImages(ctx, &runtimeapi.StreamImagesRequest{})
			if err != nil {
				t.Fatalf("StreamImages: %v", err)
			}
			return drain(t, s, func(m *runtimeapi.StreamImagesResponse) (ids []string) {
				for _, i := range m.Images {
					ids = append(ids, i.Id)
				}
				return ids
			})
		}},
		{name: "StreamContainerStats", want: ctrs, wantMsgs: 1, stream: func() ([]string, int) {
			s, err := rt.StreamContainerStats(ctx, &runtimeapi.StreamContainerStatsRequest{})
			if err != nil {
				t.Fatalf("StreamContainerStats: %v", err)
			}
			return drain(t, s, func(m *runtimeapi.StreamContainerStatsResponse) (ids []string) {
				for _, c := range m.ContainerStats {
					ids = append(ids, c.Attributes.Id)
				}
				return ids
			})
		}},
		{name: "StreamPodSandboxStats", want: pods, wantMsgs: 2, stream: func() ([]string, int) {
			s, err := rt.StreamPodSandboxStats(ctx, &runtimeapi.StreamPodSandboxStatsRequest{})
			if err != nil {
				t.Fatalf("StreamPodSandboxStats: %v", err)
			}
			return drain(t, s, func(m *runtimeapi.StreamPodSandboxStatsResponse) (ids []string) {
				for _, p := range m.PodSandboxStats {
					ids = append(ids, p.Attributes.Id)
				}
				return ids
			})
		}},
		{name: "StreamPodSandboxMetrics", want: nil, wantMsgs: 0, stream: func() ([]string, int) {
			s, err := rt.StreamPodSandboxMetrics(ctx, &runtimeapi.StreamPodSandboxMetricsRequest{})
			if err != nil {
				t.Fatalf("StreamPodSandboxMetrics: %v", err)
			}
			return drain(t, s, func(m *runtimeapi.StreamPodSandboxMetricsResponse) (ids []string) {
				for _, p := range m.PodSandboxMetrics {
					ids = append(ids, p.PodSandboxId)
				}
				return ids
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msgs := tt.stream()
			if !slices.Equal(got, tt.want) || msgs != tt.wantMsgs {
				t.Errorf("got %d items in %d messages, want %d in %d (same order as the List call)", len(got), msgs, len(tt.want), tt.wantMsgs)
			}
		})
	}
}
