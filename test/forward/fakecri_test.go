package forward

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// recordingCRI is a tiny CRI runtime on a real gRPC server that answers
// Version and ImageFsInfo (what kubelet's client builders call) and
// records the metadata every call arrives with.
type recordingCRI struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	runtimeapi.UnimplementedImageServiceServer

	mu       sync.Mutex
	incoming []metadata.MD
}

var (
	_ runtimeapi.RuntimeServiceServer = (*recordingCRI)(nil)
	_ runtimeapi.ImageServiceServer   = (*recordingCRI)(nil)
)

// fakeRuntimeName is what the recording runtime's Version answers.
const fakeRuntimeName = "recording-cri"

// startRecordingCRI serves a recordingCRI on a unix socket until t ends and
// returns it with its endpoint.
func startRecordingCRI(t *testing.T) (*recordingCRI, string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "ctr-") // short: unix socket paths are limited
	if err != nil {
		t.Fatalf("creating the fake runtime's directory: %v", err)
	}
	sock := filepath.Join(dir, "cri.sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("listening on %s: %v", sock, err)
	}
	r := &recordingCRI{}
	srv := grpc.NewServer()
	runtimeapi.RegisterRuntimeServiceServer(srv, r)
	runtimeapi.RegisterImageServiceServer(srv, r)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-served
		os.RemoveAll(dir)
	})
	return r, "unix://" + sock
}

func (r *recordingCRI) record(ctx context.Context) {
	md, _ := metadata.FromIncomingContext(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.incoming = append(r.incoming, md.Copy())
}

// calls returns the metadata of every call so far.
func (r *recordingCRI) calls() []metadata.MD {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]metadata.MD(nil), r.incoming...)
}

// Version answers with every field kubelet's client requires.
func (r *recordingCRI) Version(ctx context.Context, _ *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	r.record(ctx)
	return &runtimeapi.VersionResponse{
		Version: "0.1.0", RuntimeName: fakeRuntimeName, RuntimeVersion: "1.0.0", RuntimeApiVersion: "v1",
	}, nil
}

// ImageFsInfo answers with no filesystems.
func (r *recordingCRI) ImageFsInfo(ctx context.Context, _ *runtimeapi.ImageFsInfoRequest) (*runtimeapi.ImageFsInfoResponse, error) {
	r.record(ctx)
	return &runtimeapi.ImageFsInfoResponse{}, nil
}
