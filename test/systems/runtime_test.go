package systems_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/test/harness"
)

// daemon is a running crio-trace.
type daemon struct {
	*harness.Process
	socket string
}

// endpoint is the CRI endpoint kubelet dials.
func (d daemon) endpoint() string { return "unix://" + d.socket }

// startDaemon runs the crio-trace binary in forward mode in front of
// runtimeEndpoint, with tracing on (exporting to otlp, every root sampled)
// or off, and waits until it answers CRI Version.
func startDaemon(t *testing.T, st systemTools, runtimeEndpoint, otlp string, tracing bool) daemon {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "crio-trace.sock")
	args := []string{st.CrioTrace, "--listen", sock, "--runtime-endpoint", runtimeEndpoint, "--log-level", "info"}
	if tracing {
		args = append(args, "--enable-tracing", "--tracing-endpoint", otlp, "--tracing-sampling-rate-per-million", "1000000")
	}
	p := start(t, "crio-trace", filepath.Join(dir, "crio-trace.log"), []string{"PATH=/usr/bin:/bin"}, args...)
	d := daemon{Process: p, socket: sock}
	if err := waitFor(t.Context(), p, "crio-trace answering CRI Version", 30*time.Second, 20*time.Millisecond, func() (bool, error) {
		if _, err := os.Stat(sock); err != nil {
			return false, err
		}
		_, err := criVersion(t.Context(), d.endpoint())
		return err == nil, err
	}); err != nil {
		t.Fatal(err)
	}
	return d
}

// criVersion calls Version at endpoint.
func criVersion(ctx context.Context, endpoint string) (*runtimeapi.VersionResponse, error) {
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return runtimeapi.NewRuntimeServiceClient(conn).Version(ctx, &runtimeapi.VersionRequest{})
}
