package forward

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Answers of the fake runtime, checked on the far side of the Backend.
const (
	fakeExecURL      = "http://127.0.0.1:10010/exec/Xy7?tty=1&cmd=sh"
	fakeStreamCount  = 3
	fakeSandboxCount = 2
)

var fakeVersion = &runtimeapi.VersionResponse{
	Version: "0.1.0", RuntimeName: "fake", RuntimeVersion: "1.2.3", RuntimeApiVersion: "v1",
}

// fakeRuntime is a CRI runtime that implements a handful of RPCs and
// records what it received. RPCs it does not implement answer
// Unimplemented, as a real runtime of another version would.
type fakeRuntime struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	runtimeapi.UnimplementedImageServiceServer

	mu        sync.Mutex
	md        []metadata.MD
	deadlines []time.Duration // remaining time at arrival; -1 when none

	entered   chan string // a blocking RPC has started
	cancelled chan string // a blocking RPC saw its context end
}

func newFakeRuntime() *fakeRuntime {
	return &fakeRuntime{entered: make(chan string, 8), cancelled: make(chan string, 8)}
}

func (f *fakeRuntime) register(s *grpc.Server) {
	runtimeapi.RegisterRuntimeServiceServer(s, f)
	runtimeapi.RegisterImageServiceServer(s, f)
}

func (f *fakeRuntime) record(ctx context.Context) {
	md, _ := metadata.FromIncomingContext(ctx)
	left := time.Duration(-1)
	if d, ok := ctx.Deadline(); ok {
		left = time.Until(d)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.md = append(f.md, md.Copy())
	f.deadlines = append(f.deadlines, left)
}

// last returns the metadata and remaining deadline of the latest call.
func (f *fakeRuntime) last() (metadata.MD, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.md) == 0 {
		return nil, -1
	}
	return f.md[len(f.md)-1], f.deadlines[len(f.deadlines)-1]
}

// block signals entry, waits for ctx to end and signals that too.
func (f *fakeRuntime) block(ctx context.Context, name string) error {
	f.entered <- name
	<-ctx.Done()
	f.cancelled <- name
	return status.FromContextError(ctx.Err()).Err()
}

func (f *fakeRuntime) Version(ctx context.Context, _ *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	f.record(ctx)
	return fakeVersion, nil
}

func (f *fakeRuntime) ContainerStatus(ctx context.Context, req *runtimeapi.ContainerStatusRequest) (*runtimeapi.ContainerStatusResponse, error) {
	f.record(ctx)
	return nil, status.Errorf(codes.NotFound, "container %q not found", req.GetContainerId())
}

func (f *fakeRuntime) Exec(ctx context.Context, _ *runtimeapi.ExecRequest) (*runtimeapi.ExecResponse, error) {
	f.record(ctx)
	return &runtimeapi.ExecResponse{Url: fakeExecURL}, nil
}

func (f *fakeRuntime) PullImage(ctx context.Context, _ *runtimeapi.PullImageRequest) (*runtimeapi.PullImageResponse, error) {
	f.record(ctx)
	return nil, f.block(ctx, "PullImage")
}

// StreamContainers sends fakeStreamCount containers and ends cleanly.
func (f *fakeRuntime) StreamContainers(_ *runtimeapi.StreamContainersRequest, s grpc.ServerStreamingServer[runtimeapi.StreamContainersResponse]) error {
	f.record(s.Context())
	for i := range fakeStreamCount {
		c := &runtimeapi.Container{Id: fmt.Sprintf("c%d", i)}
		if err := s.Send(&runtimeapi.StreamContainersResponse{Containers: []*runtimeapi.Container{c}}); err != nil {
			return err
		}
	}
	return nil
}

// StreamPodSandboxes sends fakeSandboxCount sandboxes and then fails.
func (f *fakeRuntime) StreamPodSandboxes(_ *runtimeapi.StreamPodSandboxesRequest, s grpc.ServerStreamingServer[runtimeapi.StreamPodSandboxesResponse]) error {
	f.record(s.Context())
	for i := range fakeSandboxCount {
		p := &runtimeapi.PodSandbox{Id: fmt.Sprintf("p%d", i)}
		if err := s.Send(&runtimeapi.StreamPodSandboxesResponse{PodSandboxes: []*runtimeapi.PodSandbox{p}}); err != nil {
			return err
		}
	}
	return status.Error(codes.ResourceExhausted, "too many sandboxes to stream")
}

// GetContainerEvents sends one event and then holds the stream open until
// the caller goes away.
func (f *fakeRuntime) GetContainerEvents(_ *runtimeapi.GetEventsRequest, s grpc.ServerStreamingServer[runtimeapi.ContainerEventResponse]) error {
	f.record(s.Context())
	ev := &runtimeapi.ContainerEventResponse{ContainerId: "c0", ContainerEventType: runtimeapi.ContainerEventType_CONTAINER_STARTED_EVENT}
	if err := s.Send(ev); err != nil {
		return err
	}
	return f.block(s.Context(), "GetContainerEvents")
}
