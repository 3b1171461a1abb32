package testutil

import (
	"context"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// versionServer answers Version and keeps the traceparent each call
// carried ("" for none).
type versionServer struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	mu     sync.Mutex
	parent []string
}

func (s *versionServer) Version(ctx context.Context, _ *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.parent = append(s.parent, firstOf(md.Get("traceparent")))
	return &runtimeapi.VersionResponse{Version: "0.1.0", RuntimeName: "test", RuntimeVersion: "0", RuntimeApiVersion: "v1"}, nil
}

// imageServer answers ImageFsInfo, which kubelet's image client calls to
// check the connection.
type imageServer struct {
	runtimeapi.UnimplementedImageServiceServer
}

func (imageServer) ImageFsInfo(context.Context, *runtimeapi.ImageFsInfoRequest) (*runtimeapi.ImageFsInfoResponse, error) {
	return &runtimeapi.ImageFsInfoResponse{}, nil
}

func firstOf(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

func serveVersion(t *testing.T) (*versionServer, string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "cri.sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	vs := &versionServer{}
	runtimeapi.RegisterRuntimeServiceServer(srv, vs)
	runtimeapi.RegisterImageServiceServer(srv, imageServer{})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return vs, "unix://" + sock
}

// TestNewKubelet checks that the clients reach the server and that a
// tracer provider makes each call carry kubelet's span as traceparent,
// exported to the collector under service.name kubelet; without one, no
// trace context goes out.
func TestNewKubelet(t *testing.T) {
	recv, err := otlpreceiver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(recv.Stop)
	vs, endpoint := serveVersion(t)
	ctx := KlogContext(t, 0)

	seen := func() []string {
		vs.mu.Lock()
		defer vs.mu.Unlock()
		return append([]string(nil), vs.parent...)
	}
	traced := NewKubelet(ctx, t, endpoint, KubeletOptions{TracerProvider: KubeletProvider(ctx, t, recv.Addr())})
	if _, err := traced.Runtime.Version(ctx, "v1"); err != nil {
		t.Fatalf("Version through the traced client: %v", err)
	}
	// The builder calls Version too, to check the connection.
	tracedParents := seen()
	bare := NewKubelet(ctx, t, endpoint, KubeletOptions{})
	if _, err := bare.Runtime.Version(ctx, "v1"); err != nil {
		t.Fatalf("Version through the untraced client: %v", err)
	}
	bareParents := seen()[len(tracedParents):]
	if len(tracedParents) == 0 || len(bareParents) == 0 {
		t.Fatalf("the server saw %d calls from the traced client and %d from the untraced one, want some of each", len(tracedParents), len(bareParents))
	}
	for _, p := range tracedParents {
		if len(p) != 55 {
			t.Errorf("a traced call carried traceparent %q, want a W3C one", p)
		}
	}
	for _, p := range bareParents {
		if p != "" {
			t.Errorf("an untraced call carried traceparent %q, want none", p)
		}
	}
	parents := tracedParents[len(tracedParents)-1:]
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := recv.WaitFor(wctx, func(spans []otlpreceiver.Span) bool {
		for _, s := range spans {
			if s.Service == "kubelet" && parents[0][36:52] == s.SpanID {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("kubelet's CLIENT span %s never reached the collector: %v", parents[0][36:52], err)
	}
}
