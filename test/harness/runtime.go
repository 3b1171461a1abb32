package harness

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// Runtime is a CRI runtime the harness started: *Containerd or *Crio. Tests
// that run the same checks against either take a Runtime.
type Runtime interface {
	// Name is "containerd" or "crio".
	Name() string
	// Endpoint is the CRI endpoint (unix://…), as crictl and kubelet want it.
	Endpoint() string
	// Socket is the path of the CRI socket.
	Socket() string
	// Root is the temporary directory holding everything of the runtime.
	Root() string
	// LogPath is the file the runtime's output goes to.
	LogPath() string
	// Pid is the runtime's process id.
	Pid() int
	// Dial connects CRI clients to the runtime, closed when t ends.
	Dial(t testing.TB) (runtimeapi.RuntimeServiceClient, runtimeapi.ImageServiceClient)
	// Stop stops the runtime and leaves its pods, as a runtime restart does.
	Stop(t testing.TB)
	// Restart starts the runtime again on the same socket.
	Restart(t testing.TB)
}

var (
	_ Runtime = (*Containerd)(nil)
	_ Runtime = (*Crio)(nil)
)

// dialCRI opens a gRPC client connection to a CRI endpoint.
func dialCRI(endpoint string) (*grpc.ClientConn, error) {
	return grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
}

// dialClients connects CRI clients to endpoint of the runtime name, and
// closes the connection when t ends.
func dialClients(t testing.TB, name, endpoint string) (runtimeapi.RuntimeServiceClient, runtimeapi.ImageServiceClient) {
	t.Helper()
	conn, err := dialCRI(endpoint)
	if err != nil {
		t.Fatalf("dialing %s: %v", name, err)
	}
	t.Cleanup(func() { conn.Close() })
	return runtimeapi.NewRuntimeServiceClient(conn), runtimeapi.NewImageServiceClient(conn)
}

// waitCRI polls CRI Version on socket until the runtime answers with a
// runtime name containing wantName, proc exits, or the timeout passes.
func waitCRI(ctx context.Context, proc *Process, socket, wantName string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	// Dial only once the socket exists: a failed first dial would put the
	// gRPC connection into a one-second reconnect backoff.
	err := testutil.Poll(timeout, 10*time.Millisecond, func() (bool, error) {
		if done, werr := proc.Exited(); done {
			return false, testutil.Stop(exitError(proc.Name(), werr))
		}
		_, err := os.Stat(socket)
		return err == nil, err
	})
	if err != nil {
		return err
	}
	conn, err := dialCRI("unix://" + socket)
	if err != nil {
		return err
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	return testutil.Poll(time.Until(deadline), 20*time.Millisecond, func() (bool, error) {
		if done, werr := proc.Exited(); done {
			return false, testutil.Stop(exitError(proc.Name(), werr))
		}
		callCtx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		v, err := rt.Version(callCtx, &runtimeapi.VersionRequest{})
		if err != nil {
			return false, err
		}
		return strings.Contains(v.GetRuntimeName(), wantName), nil
	})
}
