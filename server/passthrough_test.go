package server

import (
	"context"
	"maps"
	"net"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/runtime/embedded"
	"github.com/crio-trace/crio-trace/internal/runtime/forward"
)

// TestPassthroughSpans runs a pod's life through the Server twice: over the
// embedded runtime (every call decoded and handled by the typed handlers)
// and over the forward backend in front of an embedded runtime (every call
// passed through as bytes). Each RPC's SERVER span must carry the same
// attributes both ways, ids aside, which must be the ids the call handed
// out or named; and the passed-through calls' debug log records name the
// pod too.
func TestPassthroughSpans(t *testing.T) {
	typed := newHarnessFor(t, embedded.New(embedded.Options{}))
	passed := newHarnessFor(t, newForward(t))
	if _, ok := passed.srv.backend.(Passthrough); !ok {
		t.Fatal("the forward backend is not a Passthrough")
	}
	calls := []struct {
		method string
		do     func(ctx context.Context, h *harness, ids map[string]string) error
	}{
		{"ImageService/PullImage", func(ctx context.Context, h *harness, _ map[string]string) error {
			_, err := h.img.PullImage(ctx, &runtimeapi.PullImageRequest{Image: validContainerConfig().GetImage(), SandboxConfig: validPodConfig()})
			return err
		}},
		{"RuntimeService/RunPodSandbox", func(ctx context.Context, h *harness, ids map[string]string) error {
			r, err := h.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: validPodConfig(), RuntimeHandler: "runc"})
			ids["sandbox"] = r.GetPodSandboxId()
			return err
		}},
		{"RuntimeService/CreateContainer", func(ctx context.Context, h *harness, ids map[string]string) error {
			r, err := h.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: ids["sandbox"], Config: validContainerConfig(), SandboxConfig: validPodConfig()})
			ids["container"] = r.GetContainerId()
			return err
		}},
		{"RuntimeService/StartContainer", func(ctx context.Context, h *harness, ids map[string]string) error {
			_, err := h.rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ids["container"]})
			return err
		}},
		{"RuntimeService/PodSandboxStatus", func(ctx context.Context, h *harness, ids map[string]string) error {
			_, err := h.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: ids["sandbox"]})
			return err
		}},
		{"RuntimeService/ListContainers", func(ctx context.Context, h *harness, _ map[string]string) error {
			_, err := h.rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
			return err
		}},
		{"RuntimeService/RemoveContainer", func(ctx context.Context, h *harness, ids map[string]string) error {
			if _, err := h.rt.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: ids["container"]}); err != nil {
				return err
			}
			_, err := h.rt.RemoveContainer(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: ids["container"]})
			return err
		}},
		{"RuntimeService/RemovePodSandbox", func(ctx context.Context, h *harness, ids map[string]string) error {
			if _, err := h.rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: ids["sandbox"]}); err != nil {
				return err
			}
			_, err := h.rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: ids["sandbox"]})
			return err
		}},
	}
	typedIDs, passedIDs := map[string]string{}, map[string]string{}
	for _, c := range calls {
		if err := c.do(t.Context(), typed, typedIDs); err != nil {
			t.Fatalf("%s over the embedded runtime: %v", c.method, err)
		}
		if err := c.do(t.Context(), passed, passedIDs); err != nil {
			t.Fatalf("%s passed through: %v", c.method, err)
		}
		name := "runtime.v1." + c.method
		want := withoutIDs(attrs(typed.serverSpans(t, name, 1)[0]), typedIDs)
		got := withoutIDs(attrs(passed.serverSpans(t, name, 1)[0]), passedIDs)
		if !maps.Equal(got, want) {
			t.Errorf("%s: passed through, the span has %v; decoded, %v", c.method, got, want)
		}
	}
	if n := passed.logs.Count(`"k8s.pod.name":"` + validPodConfig().GetMetadata().GetName() + `"`); n < 4 {
		t.Errorf("%d debug records of passed-through calls name the pod, want one per pod call:\n%s", n, passed.logs.String())
	}
}

// withoutIDs replaces the values of id attributes by the name of the id
// they hold in ids ("sandbox", "container"), or "unknown id".
func withoutIDs(a map[attribute.Key]string, ids map[string]string) map[attribute.Key]string {
	for _, k := range []attribute.Key{AttrSandboxID, AttrContainerID} {
		v, ok := a[k]
		if !ok {
			continue
		}
		a[k] = "unknown id"
		for name, id := range ids {
			if id == v {
				a[k] = name
			}
		}
	}
	// The socket path the span names differs between the two servers.
	delete(a, "server.address")
	return a
}

// newForward serves an embedded runtime on a bare grpc.Server and returns a
// forward backend in front of it.
func newForward(t *testing.T) *forward.Backend {
	t.Helper()
	rt := embedded.New(embedded.Options{})
	t.Cleanup(rt.Close)
	g := grpc.NewServer()
	runtimeapi.RegisterRuntimeServiceServer(g, rt)
	runtimeapi.RegisterImageServiceServer(g, rt)
	sock := filepath.Join(t.TempDir(), "rt.sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = g.Serve(lis) }()
	t.Cleanup(g.Stop)
	b, err := forward.New(forward.Options{Endpoint: "unix://" + sock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}
