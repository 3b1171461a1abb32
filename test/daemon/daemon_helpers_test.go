package daemon_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// Bounds of the waits of these tests: testutil's.
const (
	startTimeout = testutil.StartTimeout
	exitTimeout  = testutil.ExitTimeout
)

// daemon is one crio-trace process started by a test.
type daemon = testutil.Daemon

// socketDir returns a new short directory for unix sockets, removed when t
// ends.
func socketDir(t *testing.T) string { return testutil.SocketDir(t) }

// socketPath returns the path of a socket in a fresh socket directory.
func socketPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(socketDir(t), "crio.sock")
}

// writeConfig writes a config file with body and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "crio-trace.conf")
	rewriteConfig(t, p, body)
	return p
}

// rewriteConfig replaces the config file at path with body, atomically, so
// a daemon reloading it never reads half a file.
func rewriteConfig(t *testing.T, path, body string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		t.Fatalf("writing config: %v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatalf("replacing config: %v", err)
	}
}

// tracingConfig renders a config file whose [crio.tracing] exports to
// endpoint every 100ms and probes an absent collector every 200ms at most,
// so tests see spans and state changes quickly. extra lines go into the
// same table.
func tracingConfig(enabled bool, endpoint string, extra ...string) string {
	var b strings.Builder
	b.WriteString("[crio.tracing]\n")
	if enabled {
		b.WriteString("enable_tracing = true\n")
	} else {
		b.WriteString("enable_tracing = false\n")
	}
	b.WriteString("tracing_endpoint = \"" + endpoint + "\"\n")
	b.WriteString("tracing_export_interval = \"100ms\"\n")
	b.WriteString("tracing_probe_interval = \"200ms\"\n")
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// startProcess starts the daemon with args and returns at once. The process
// is killed (SIGKILL, by its pid) when t ends if it is still running.
func startProcess(t *testing.T, args ...string) *daemon {
	t.Helper()
	return testutil.StartDaemon(t, daemonBin, nil, args...)
}

// startDaemon starts the daemon on sock with args and waits until it serves.
func startDaemon(t *testing.T, sock string, args ...string) *daemon {
	t.Helper()
	d := startProcess(t, append([]string{"--listen", sock}, args...)...)
	d.WaitServing(t)
	return d
}

// runCLI runs the daemon binary to completion (a subcommand, --help, a bad
// flag) and returns its stdout, stderr and exit code.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	r := testutil.Run(t, daemonBin, nil, args...)
	return r.Stdout, r.Stderr, r.Code
}

// freeAddr returns a loopback host:port nothing listens on.
func freeAddr(t *testing.T) string { return testutil.FreeAddr(t) }

// criVersion calls Version on the daemon at sock over a fresh connection.
func criVersion(ctx context.Context, sock string) (*runtimeapi.VersionResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return runtimeapi.NewRuntimeServiceClient(conn).Version(ctx, &runtimeapi.VersionRequest{})
}
