package systems_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/test/harness"
)

// tracingSections turn on upstream containerd's tracing plugins (measured:
// without protocol = "grpc" the OTLP plugin errors out).
const tracingSections = `
[plugins."io.containerd.tracing.processor.v1.otlp"]
  endpoint = %q
  protocol = "grpc"
  insecure = true

[plugins."io.containerd.internal.v1.tracing"]
  sampling_ratio = 1.0
  service_name = "containerd"
`

// startTracedContainerd starts upstream containerd through the harness
// (registry mirror, CNI, own root, full cleanup), with its tracing plugins
// exporting to otlp. The harness writes Debian containerd's config and runs
// tools.Containerd with --config; a two-line wrapper in between appends the
// tracing sections and execs the upstream binary, so the pid the harness
// stops is containerd's own.
func startTracedContainerd(t *testing.T, ht harness.Tools, st systemTools, registry, otlp string) *harness.Containerd {
	t.Helper()
	dir := t.TempDir()
	sections := filepath.Join(dir, "tracing.toml")
	if err := os.WriteFile(sections, fmt.Appendf(nil, tracingSections, otlp), 0o644); err != nil {
		t.Fatalf("writing containerd tracing config: %v", err)
	}
	wrapper := filepath.Join(dir, "containerd")
	script := "#!/bin/sh\n# $1 $2 are --config FILE (the harness's call).\n" +
		"cat \"$2\" " + strconv.Quote(sections) + " > \"$2.traced\" || exit 1\n" +
		"cfg=\"$2.traced\"; shift 2\n" +
		"exec " + strconv.Quote(st.Containerd) + " --config \"$cfg\" \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatalf("writing containerd wrapper: %v", err)
	}
	tools := ht
	tools.Containerd = wrapper
	return harness.StartContainerd(t, tools, registry)
}

// daemon is a running crio-trace.
type daemon struct {
	*proc
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
	d := daemon{proc: p, socket: sock}
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
