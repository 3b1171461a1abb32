package embedded

import (
	"sync"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// EventBuffer is the number of events queued for one GetContainerEvents
// subscriber. When a subscriber falls this far behind, newer events for it
// are dropped (and counted by DroppedEvents) rather than slow down the RPCs
// that produce them; kubelet's evented PLEG recovers from a gap by relisting.
const EventBuffer = 128

// broker fans lifecycle events out to every open GetContainerEvents stream.
type broker struct {
	mu      sync.Mutex
	subs    map[chan *runtimeapi.ContainerEventResponse]struct{}
	dropped atomic.Uint64
}

func newBroker() *broker {
	return &broker{subs: make(map[chan *runtimeapi.ContainerEventResponse]struct{})}
}

func (b *broker) subscribe() chan *runtimeapi.ContainerEventResponse {
	ch := make(chan *runtimeapi.ContainerEventResponse, EventBuffer)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch
}

// count returns the number of open subscriptions.
func (b *broker) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

func (b *broker) unsubscribe(ch chan *runtimeapi.ContainerEventResponse) {
	b.mu.Lock()
	delete(b.subs, ch)
	b.mu.Unlock()
}

// publish queues ev for every subscriber without blocking. Each subscriber
// gets its own copy, as gRPC may marshal them concurrently.
func (b *broker) publish(ev *runtimeapi.ContainerEventResponse) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- cloneEvent(ev):
		default:
			b.dropped.Add(1)
		}
	}
}

func cloneEvent(ev *runtimeapi.ContainerEventResponse) *runtimeapi.ContainerEventResponse {
	return &runtimeapi.ContainerEventResponse{
		ContainerId:        ev.ContainerId,
		ContainerEventType: ev.ContainerEventType,
		CreatedAt:          ev.CreatedAt,
		PodSandboxStatus:   proto.CloneOf(ev.PodSandboxStatus),
		ContainersStatuses: cloneStatuses(ev.ContainersStatuses),
	}
}

func cloneStatuses(in []*runtimeapi.ContainerStatus) []*runtimeapi.ContainerStatus {
	out := make([]*runtimeapi.ContainerStatus, len(in))
	for i, st := range in {
		out[i] = proto.CloneOf(st)
	}
	return out
}

// DroppedEvents returns how many events were dropped because a
// GetContainerEvents subscriber's buffer was full.
func (r *Runtime) DroppedEvents() uint64 {
	return r.events.dropped.Load()
}

// emit publishes an event of type typ about the object id (a container, or
// the sandbox itself for sandbox events) with the current status of sandbox
// s and of all its containers. Callers hold mu for writing, so events leave
// in the order the state changed.
func (r *Runtime) emit(typ runtimeapi.ContainerEventType, id string, s *sandbox) {
	if r.events.count() == 0 {
		// Nobody listens: skip building the statuses, which walks the
		// sandbox's containers on every lifecycle call.
		return
	}
	r.events.publish(&runtimeapi.ContainerEventResponse{
		ContainerId:        id,
		ContainerEventType: typ,
		CreatedAt:          r.nowNano(),
		PodSandboxStatus:   s.status(),
		ContainersStatuses: r.containerStatuses(s),
	})
}

// GetContainerEvents streams container lifecycle events (created, started,
// stopped, deleted) of containers and pod sandboxes as they happen, to every
// open stream. It returns when the client goes away or Close is called. A
// subscriber that does not keep up loses events; see EventBuffer.
func (r *Runtime) GetContainerEvents(_ *runtimeapi.GetEventsRequest, stream grpc.ServerStreamingServer[runtimeapi.ContainerEventResponse]) error {
	ch := r.events.subscribe()
	defer r.events.unsubscribe(ch)
	ctx := stream.Context()
	for {
		select {
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-r.done:
			return nil
		case ev := <-ch:
			if err := stream.Send(ev); err != nil {
				return err
			}
		}
	}
}
