package bench

import (
	"path/filepath"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/runtime/embedded"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// TestRawProxy checks the floor forward mode is measured against does the
// job it stands for: kubelet's client, through the raw proxy, gets the
// runtime's answers, its error codes, and server-streamed messages.
func TestRawProxy(t *testing.T) {
	ctx := quiet(t.Context())
	rt := startRuntime(t)
	proxy := startRawProxy(t, rt.endpoint)
	k := proxy.connect(t, true)
	v, err := k.rt.Version(ctx, "v1")
	if err != nil {
		t.Fatalf("Version through the raw proxy: %v", err)
	}
	if v.GetRuntimeName() != embedded.RuntimeName {
		t.Errorf("Version through the raw proxy names %q, want the runtime's %q", v.GetRuntimeName(), embedded.RuntimeName)
	}
	_, err = k.rt.ContainerStatus(ctx, "no-such-container", false)
	if status.Code(err) != codes.NotFound {
		t.Errorf("ContainerStatus of an unknown id through the raw proxy: %v, want the runtime's NotFound", err)
	}
	id, err := k.rt.RunPodSandbox(ctx, podConfig("proxied"), "")
	if err != nil {
		t.Fatalf("RunPodSandbox through the raw proxy: %v", err)
	}
	stream, err := runtimeapi.NewRuntimeServiceClient(dialCRI(t, proxy.endpoint)).StreamPodSandboxes(ctx, &runtimeapi.StreamPodSandboxesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := stream.Recv()
	if err != nil {
		t.Fatalf("first message of StreamPodSandboxes through the raw proxy: %v", err)
	}
	if len(got.GetPodSandboxes()) != 1 || got.GetPodSandboxes()[0].GetId() != id {
		t.Errorf("StreamPodSandboxes through the raw proxy: %v, want the one pod %q", got, id)
	}
}

// startRuntime serves the embedded runtime, bare, in a child process.
func startRuntime(tb testing.TB) *stack {
	tb.Helper()
	sock := filepath.Join(testutil.SocketDir(tb), "rt.sock")
	return &stack{endpoint: "unix://" + sock, proc: startChild(tb, "runtime", roleRuntime, sockEnv+"="+sock)}
}

// startRawProxy serves the raw proxy in front of target in a child process.
func startRawProxy(tb testing.TB, target string) *stack {
	tb.Helper()
	sock := filepath.Join(testutil.SocketDir(tb), "proxy.sock")
	return &stack{endpoint: "unix://" + sock, proc: startChild(tb, "rawproxy", roleRawProxy, sockEnv+"="+sock, targetEnv+"="+target)}
}

// dialCRI is a plain gRPC connection to endpoint, for the calls kubelet's
// client does not make directly (the Stream* list RPCs); closed when tb ends.
func dialCRI(tb testing.TB, endpoint string) *grpc.ClientConn {
	tb.Helper()
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatalf("dialling %s: %v", endpoint, err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	return conn
}
