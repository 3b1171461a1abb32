package embedded

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// subscribe opens a GetContainerEvents stream and waits until the runtime
// has registered it, so that no event is missed.
func subscribe(ctx context.Context, t *testing.T, r *Runtime, client runtimeapi.RuntimeServiceClient) runtimeapi.RuntimeService_GetContainerEventsClient {
	t.Helper()
	before := r.events.count()
	stream, err := client.GetContainerEvents(ctx, &runtimeapi.GetEventsRequest{})
	if err != nil {
		t.Fatalf("GetContainerEvents: %v", err)
	}
	testutil.WaitFor(t, 10*time.Second, "the event subscription", func() bool { return r.events.count() > before })
	return stream
}

type seen struct {
	id  string
	typ runtimeapi.ContainerEventType
}

func TestGetContainerEvents(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	client := runtimeapi.NewRuntimeServiceClient(dial(t, serve(t, r)))
	streams := []runtimeapi.RuntimeService_GetContainerEventsClient{
		subscribe(ctx, t, r, client),
		subscribe(ctx, t, r, client),
	}

	podID, ctrID := runningContainer(ctx, t, r, "web")
	if _, err := r.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: ctrID}); err != nil {
		t.Fatalf("StopContainer: %v", err)
	}
	if _, err := r.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: podID}); err != nil {
		t.Fatalf("RemovePodSandbox: %v", err)
	}
	want := []seen{
		{podID, runtimeapi.ContainerEventType_CONTAINER_CREATED_EVENT},
		{podID, runtimeapi.ContainerEventType_CONTAINER_STARTED_EVENT},
		{ctrID, runtimeapi.ContainerEventType_CONTAINER_CREATED_EVENT},
		{ctrID, runtimeapi.ContainerEventType_CONTAINER_STARTED_EVENT},
		{ctrID, runtimeapi.ContainerEventType_CONTAINER_STOPPED_EVENT},
		{ctrID, runtimeapi.ContainerEventType_CONTAINER_DELETED_EVENT},
		{podID, runtimeapi.ContainerEventType_CONTAINER_STOPPED_EVENT},
		{podID, runtimeapi.ContainerEventType_CONTAINER_DELETED_EVENT},
	}
	for i, stream := range streams {
		var last int64
		for j, w := range want {
			ev, err := stream.Recv()
			if err != nil {
				t.Fatalf("stream %d event %d: %v", i, j, err)
			}
			if got := (seen{ev.ContainerId, ev.ContainerEventType}); got != w {
				t.Fatalf("stream %d event %d = %v, want %v", i, j, got, w)
			}
			if ev.CreatedAt <= last || ev.PodSandboxStatus.GetId() != podID {
				t.Errorf("stream %d event %d: created_at %d after %d, sandbox %q", i, j, ev.CreatedAt, last, ev.PodSandboxStatus.GetId())
			}
			last = ev.CreatedAt
			if w == (seen{ctrID, runtimeapi.ContainerEventType_CONTAINER_STOPPED_EVENT}) {
				if n := len(ev.ContainersStatuses); n != 1 || ev.ContainersStatuses[0].State != runtimeapi.ContainerState_CONTAINER_EXITED {
					t.Errorf("stopped event carries %d statuses %v, want the EXITED container", n, ev.ContainersStatuses)
				}
			}
		}
	}

	r.Close()
	r.Close() // idempotent
	for i, stream := range streams {
		if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
			t.Errorf("stream %d after Close: %v, want io.EOF", i, err)
		}
	}
	late, err := client.GetContainerEvents(ctx, &runtimeapi.GetEventsRequest{})
	if err != nil {
		t.Fatalf("GetContainerEvents after Close: %v", err)
	}
	if _, err := late.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("stream opened after Close: %v, want io.EOF", err)
	}
}

func TestGetContainerEventsClientGoesAway(t *testing.T) {
	r := newTestRuntime(t)
	client := runtimeapi.NewRuntimeServiceClient(dial(t, serve(t, r)))
	ctx, cancel := context.WithCancel(t.Context())
	stream := subscribe(ctx, t, r, client)
	cancel()
	if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
		t.Errorf("Recv after cancel: %v, want Canceled", err)
	}
	testutil.WaitFor(t, 10*time.Second, "the subscription to end", func() bool { return r.events.count() == 0 })
}

func TestSlowSubscriberDoesNotBlock(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	ch := r.events.subscribe() // never read
	defer r.events.unsubscribe(ch)
	mustPull(ctx, t, r, "busybox")
	podID := mustRunPod(ctx, t, r, podConfig("web"))
	n := EventBuffer // each container makes one event, the pod two
	for i := range n {
		mustCreate(ctx, t, r, podID, containerConfig("c"+string(rune('a'+i%26))+string(rune('a'+i/26)), "busybox"))
	}
	if got, want := len(ch), EventBuffer; got != want {
		t.Errorf("buffered events = %d, want %d", got, want)
	}
	if got := r.DroppedEvents(); got != 2 {
		t.Errorf("DroppedEvents() = %d, want 2", got)
	}
}
