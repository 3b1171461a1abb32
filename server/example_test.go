package server_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/server"
)

// versionBackend is the smallest Backend: it answers Version and leaves every
// other method Unimplemented.
type versionBackend struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	runtimeapi.UnimplementedImageServiceServer
}

func (versionBackend) Version(context.Context, *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	return &runtimeapi.VersionResponse{
		Version: "0.1.0", RuntimeName: "example", RuntimeVersion: "0.1.0", RuntimeApiVersion: "v1",
	}, nil
}

// Example serves the CRI in front of a backend the way the daemon does: the
// Server's interceptors plus otelgrpc's stats handler, which makes the one
// SERVER span of each RPC.
func Example() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	srv := server.New(versionBackend{}, server.Options{})
	gs := grpc.NewServer(append(srv.ServerOptions(),
		grpc.StatsHandler(otelgrpc.NewServerHandler(
			otelgrpc.WithTracerProvider(tp),
			otelgrpc.WithPropagators(propagation.TraceContext{}))),
		grpc.WaitForHandlers(true), // Stop returns once every span has ended
	)...)
	srv.Register(gs)

	dir, err := os.MkdirTemp("", "crio-trace-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = os.RemoveAll(dir) }()
	lis, err := net.Listen("unix", filepath.Join(dir, "crio.sock"))
	if err != nil {
		fmt.Println(err)
		return
	}
	go func() { _ = gs.Serve(lis) }()

	conn, err := grpc.NewClient("unix://"+lis.Addr().String(),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := runtimeapi.NewRuntimeServiceClient(conn).Version(context.Background(), &runtimeapi.VersionRequest{})
	_ = conn.Close()
	gs.Stop()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.GetRuntimeName(), resp.GetRuntimeVersion())
	for _, s := range rec.Ended() {
		fmt.Println(s.SpanKind(), s.Name())
	}
	// Output:
	// example 0.1.0
	// server runtime.v1.RuntimeService/Version
}
