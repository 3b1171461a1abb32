package server

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// staticBackend answers from prebuilt responses so that it allocates nothing
// itself: whatever a call through the Server allocates on top is the
// Server's.
type staticBackend struct {
	fakeBackend
	sandboxes []*runtimeapi.RunPodSandboxResponse
	next      int
}

var (
	startResp  = &runtimeapi.StartContainerResponse{}
	stopResp   = &runtimeapi.StopPodSandboxResponse{}
	pullResp   = &runtimeapi.PullImageResponse{ImageRef: "sha256:abc"}
	createResp = &runtimeapi.CreateContainerResponse{ContainerId: "ctr-1"}
	statusResp = &runtimeapi.PodSandboxStatusResponse{Status: &runtimeapi.PodSandboxStatus{
		Id: "sb-1", Metadata: &runtimeapi.PodSandboxMetadata{Name: "web"},
	}}
)

func (b *staticBackend) StartContainer(context.Context, *runtimeapi.StartContainerRequest) (*runtimeapi.StartContainerResponse, error) {
	return startResp, nil
}

func (b *staticBackend) StopPodSandbox(context.Context, *runtimeapi.StopPodSandboxRequest) (*runtimeapi.StopPodSandboxResponse, error) {
	return stopResp, nil
}

func (b *staticBackend) PodSandboxStatus(context.Context, *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	return statusResp, nil
}

func (b *staticBackend) PullImage(context.Context, *runtimeapi.PullImageRequest) (*runtimeapi.PullImageResponse, error) {
	return pullResp, nil
}

func (b *staticBackend) CreateContainer(context.Context, *runtimeapi.CreateContainerRequest) (*runtimeapi.CreateContainerResponse, error) {
	return createResp, nil
}

// RunPodSandbox hands out a new prebuilt id per call, so the Server indexes
// a new sandbox each time.
func (b *staticBackend) RunPodSandbox(context.Context, *runtimeapi.RunPodSandboxRequest) (*runtimeapi.RunPodSandboxResponse, error) {
	resp := b.sandboxes[b.next%len(b.sandboxes)]
	b.next++
	return resp, nil
}

// notRecording returns a context whose span is a sampled-out remote parent,
// what the Server sees when the kubelet's trace is not sampled or tracing
// is off.
func notRecording(ctx context.Context) context.Context {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, Remote: true,
	})
	return trace.ContextWithSpanContext(ctx, sc)
}

// TestTracingOffAddsNoAllocations compares the allocations of a handler
// called with a non-recording span against the backend call alone, and of
// the interceptor (logger discarding) around a handler against the handler
// alone.
func TestTracingOffAddsNoAllocations(t *testing.T) {
	const runs = 200
	b := &staticBackend{}
	for i := range 4 * runs {
		b.sandboxes = append(b.sandboxes, &runtimeapi.RunPodSandboxResponse{PodSandboxId: fmt.Sprintf("sb-%d", i)})
	}
	var backend Backend = b // called through the interface, as the Server does
	s := New(b, Options{})
	ctx := notRecording(t.Context())
	start := &runtimeapi.StartContainerRequest{ContainerId: "ctr-1"}
	stop := &runtimeapi.StopPodSandboxRequest{PodSandboxId: "sb-1"}
	sbStatus := &runtimeapi.PodSandboxStatusRequest{PodSandboxId: "sb-1"}
	pull := &runtimeapi.PullImageRequest{
		Image: &runtimeapi.ImageSpec{Image: "busybox"},
		Auth:  &runtimeapi.AuthConfig{Username: "u", Password: "p"},
	}
	create := &runtimeapi.CreateContainerRequest{PodSandboxId: "sb-1", Config: validContainerConfig()}
	run := &runtimeapi.RunPodSandboxRequest{Config: validPodConfig()}
	info := &grpc.UnaryServerInfo{FullMethod: runtimeService + "/StartContainer"}
	startHandler := func(ctx context.Context, req any) (any, error) {
		return s.StartContainer(ctx, req.(*runtimeapi.StartContainerRequest))
	}

	cases := []struct {
		name string
		// extra is the number of allocations the Server may add.
		extra   float64
		server  func()
		backend func()
	}{
		{
			name:    "StartContainer",
			server:  func() { _, _ = s.StartContainer(ctx, start) },
			backend: func() { _, _ = backend.StartContainer(ctx, start) },
		},
		{
			name:    "StopPodSandbox",
			server:  func() { _, _ = s.StopPodSandbox(ctx, stop) },
			backend: func() { _, _ = backend.StopPodSandbox(ctx, stop) },
		},
		{
			// The first call learns sb-1 from the status; later ones find it.
			name:    "PodSandboxStatus known sandbox",
			server:  func() { _, _ = s.PodSandboxStatus(ctx, sbStatus) },
			backend: func() { _, _ = backend.PodSandboxStatus(ctx, sbStatus) },
		},
		{
			name:    "PullImage",
			server:  func() { _, _ = s.PullImage(ctx, pull) },
			backend: func() { _, _ = backend.PullImage(ctx, pull) },
		},
		{
			// Same container id every run: the index entry is updated in place.
			name:    "CreateContainer known id",
			server:  func() { _, _ = s.CreateContainer(ctx, create) },
			backend: func() { _, _ = backend.CreateContainer(ctx, create) },
		},
		{
			// A new sandbox id every run: the index takes a slot of its
			// table, reused once the table has grown (a bigger map now and
			// then is less than one allocation per call). The index is kept
			// with tracing on or off because logs use it too.
			name:    "RunPodSandbox new id",
			server:  func() { _, _ = s.RunPodSandbox(ctx, run) },
			backend: func() { _, _ = backend.RunPodSandbox(ctx, run) },
		},
		{
			name:    "interceptor around StartContainer",
			server:  func() { _, _ = s.unaryInterceptor(ctx, start, info, startHandler) },
			backend: func() { _, _ = startHandler(ctx, start) },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := testing.AllocsPerRun(runs, tc.backend)
			got := testing.AllocsPerRun(runs, tc.server)
			t.Logf("allocations per call: backend alone %.1f, through the Server %.1f", base, got)
			if got-base > tc.extra {
				t.Fatalf("the Server adds %.1f allocations per call, want at most %.0f", got-base, tc.extra)
			}
		})
	}
}
