package bench

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// hopSide is one path of BenchmarkHop, connected: kubelet's client and a
// plain gRPC client carrying kubelet's trace context (for the Stream* list
// RPCs kubelet's client only makes with streaming on).
type hopSide struct {
	path   hopPath
	st     *stack
	k      *kubelet
	stream runtimeapi.RuntimeServiceClient
}

// hopOp is one measured operation of BenchmarkHop, set up on the runtime
// once (through the direct path) and then made on every path.
type hopOp struct {
	name  string
	setup func(ctx context.Context, direct *kubelet) error
	// do makes the call on side s and returns what to undo outside the
	// timer (nil: nothing).
	do func(ctx context.Context, s *hopSide, i int64) (func() error, error)
}

// hopLabel selects the containers of a ListContainers op of n containers.
func hopLabel(n int) *runtimeapi.ContainerFilter {
	return &runtimeapi.ContainerFilter{LabelSelector: map[string]string{"set": "hop-" + strconv.Itoa(n)}}
}

// hopOps are the calls of the forward-mode issue: Version, ListContainers
// with 10 and 100 containers, a pod start (RunPodSandbox, CreateContainer,
// StartContainer) and the first message of a server-streamed list.
func hopOps() []hopOp {
	list := func(n int) hopOp {
		return hopOp{
			name: "ListContainers" + strconv.Itoa(n),
			setup: func(ctx context.Context, k *kubelet) error {
				return createListed(ctx, k, "hop-"+strconv.Itoa(n), n)
			},
			do: func(ctx context.Context, s *hopSide, _ int64) (func() error, error) {
				got, err := s.k.rt.ListContainers(ctx, hopLabel(n))
				if err == nil && len(got) != n {
					err = fmt.Errorf("ListContainers returned %d containers, want %d", len(got), n)
				}
				return nil, err
			},
		}
	}
	return []hopOp{
		{name: "Version", do: func(ctx context.Context, s *hopSide, _ int64) (func() error, error) {
			_, err := s.k.rt.Version(ctx, "v1")
			return nil, err
		}},
		list(10),
		list(100),
		{name: "PodStart", setup: func(ctx context.Context, k *kubelet) error { return pull(ctx, k, "hop") },
			do: func(ctx context.Context, s *hopSide, i int64) (func() error, error) {
				cfg := podConfig("hop-" + s.path.name + "-" + strconv.FormatInt(i, 10))
				id, err := s.k.rt.RunPodSandbox(ctx, cfg, "")
				if err != nil {
					return nil, err
				}
				undo := func() error {
					if err := s.k.rt.StopPodSandbox(ctx, id); err != nil {
						return err
					}
					return s.k.rt.RemovePodSandbox(ctx, id)
				}
				ctr, err := s.k.rt.CreateContainer(ctx, id, containerConfig("app", "pod", benchImage), cfg)
				if err == nil {
					err = s.k.rt.StartContainer(ctx, ctr)
				}
				return undo, err
			}},
		{name: "StreamFirst", setup: func(ctx context.Context, k *kubelet) error { return createListed(ctx, k, "hop-10", 10) },
			do: func(ctx context.Context, s *hopSide, _ int64) (func() error, error) {
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				st, err := s.stream.StreamContainers(ctx, &runtimeapi.StreamContainersRequest{Filter: hopLabel(10)})
				if err != nil {
					return nil, err
				}
				first, err := st.Recv()
				if err == nil && len(first.GetContainers()) != 10 {
					err = fmt.Errorf("StreamContainers' first message has %d containers, want 10", len(first.GetContainers()))
				}
				return nil, err
			}},
	}
}

// createListed runs a pod and n containers in it labelled set=label.
func createListed(ctx context.Context, k *kubelet, label string, n int) error {
	if err := pull(ctx, k, "holder-"+label); err != nil {
		return err
	}
	pod := podConfig("holder-" + label)
	id, err := k.rt.RunPodSandbox(ctx, pod, "")
	if err != nil {
		return fmt.Errorf("running pod %q: %w", pod.GetMetadata().GetName(), err)
	}
	for i := range n {
		if _, err := k.rt.CreateContainer(ctx, id, containerConfig(label+"-"+strconv.Itoa(i), label, benchImage), pod); err != nil {
			return fmt.Errorf("creating container %d of %q: %w", i, label, err)
		}
	}
	return nil
}

// startHop starts the runtime and every path in front of it, connected.
func startHop(b *testing.B) (rt *stack, sides []*hopSide) {
	rt = startRuntime(b)
	for _, p := range hopPaths() {
		st := p.start(b, rt.endpoint)
		k := st.connect(b, true)
		conn, err := grpc.NewClient(st.endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(k.tp), otelgrpc.WithPropagators(tracing.Propagator()))))
		if err != nil {
			b.Fatalf("dialling %s: %v", st.endpoint, err)
		}
		b.Cleanup(func() { _ = conn.Close() })
		sides = append(sides, &hopSide{path: p, st: st, k: k, stream: runtimeapi.NewRuntimeServiceClient(conn)})
	}
	return rt, sides
}

// BenchmarkHop measures forward mode against the floor of one gRPC hop, in
// one loop, call for call: kubelet's client calls the same runtime process
// (the embedded runtime on a bare grpc.Server) directly, through the raw
// proxy (bytes in, bytes out, no decode), and through crio-trace in forward
// mode with tracing off and on, rotating who goes first. Each server runs in
// its own process. Per path P (direct, raw, off, on) it reports the wall
// time per call (P-ns/op) and, for the three in the middle, what their
// process spent per call (P-cpu-ns/op, P-allocs/op, P-B/op); summarize
// turns them into the added latency of each path over direct, and
// crio-trace's over the raw proxy's, run by run.
func BenchmarkHop(b *testing.B) {
	for _, op := range hopOps() {
		b.Run("op="+op.name, func(b *testing.B) {
			ctx := quiet(b.Context())
			_, sides := startHop(b)
			if op.setup != nil {
				if err := op.setup(ctx, sides[0].k); err != nil {
					b.Fatal(err)
				}
			}
			var procs []*child
			for _, s := range sides[1:] {
				procs = append(procs, s.st.proc)
			}
			spent := make([]time.Duration, len(sides))
			m := newMeter(procs...)
			m.start(b)
			b.ResetTimer()
			for i := range b.N {
				for j := range sides {
					s := sides[(i+j)%len(sides)]
					t0 := time.Now()
					undo, err := op.do(ctx, s, int64(i))
					spent[(i+j)%len(sides)] += time.Since(t0)
					if undo != nil {
						b.StopTimer()
						m.exclude(b, func() {
							if uerr := undo(); uerr != nil && err == nil {
								err = fmt.Errorf("undoing: %w", uerr)
							}
						})
						b.StartTimer()
					}
					if err != nil {
						b.Fatalf("%s through %s, call %d: %v", op.name, s.path.name, i, err)
					}
				}
			}
			b.StopTimer()
			use := m.stop(b)
			for i, s := range sides {
				b.ReportMetric(float64(spent[i])/float64(b.N), s.path.name+"-ns/op")
				if i > 0 {
					use[i-1].report(b, s.path.name, b.N)
				}
			}
			b.ReportMetric(loadAvg(), "load-avg")
		})
	}
}
