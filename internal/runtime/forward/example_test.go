package forward_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/runtime/forward"
)

// stubRuntime stands in for containerd in the example.
type stubRuntime struct {
	runtimeapi.UnimplementedRuntimeServiceServer
}

func (stubRuntime) Version(context.Context, *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	return &runtimeapi.VersionResponse{
		Version: "0.1.0", RuntimeName: "containerd", RuntimeVersion: "1.6.20", RuntimeApiVersion: "v1",
	}, nil
}

// The daemon builds one Backend for --runtime-endpoint and registers it as
// both CRI services; here it is called directly.
func Example() {
	dir, err := os.MkdirTemp("", "forward")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "containerd.sock")

	lis, err := net.Listen("unix", sock)
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := grpc.NewServer()
	runtimeapi.RegisterRuntimeServiceServer(srv, stubRuntime{})
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	backend, err := forward.New(forward.Options{
		Endpoint: "unix://" + sock,
		// With tracing on, pass the kit's otelgrpc client handler here:
		// DialOptions: []grpc.DialOption{grpc.WithStatsHandler(handler)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer backend.Close()

	resp, err := backend.Version(context.Background(), &runtimeapi.VersionRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.GetRuntimeName(), resp.GetRuntimeVersion())
	// Output: containerd 1.6.20
}

func ExampleParseEndpoint() {
	for _, e := range []string{"/run/containerd/containerd.sock", "tcp://127.0.0.1:10010"} {
		canonical, err := forward.ParseEndpoint(e)
		fmt.Println(canonical, err)
	}
	// Output:
	// unix:///run/containerd/containerd.sock <nil>
	//  invalid runtime endpoint "tcp://127.0.0.1:10010": only unix sockets are supported (unix:///path)
}
