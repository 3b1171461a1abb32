package enhancements

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// Service names of the two daemons emittedTelemetry runs, to tell their
// spans apart.
const (
	frontService   = "crio-trace-front"
	runtimeService = "crio-trace-runtime"
)

// emittedTelemetry runs what a node runs and records what reaches a real
// OTLP receiver: a crio-trace daemon in forward mode (SERVER and CLIENT
// spans) in front of a second one with the embedded runtime (SERVER and
// inner spans), both exporting, and a pod's life through them as kubelet
// calls it, one failing call included. The result holds every span name,
// attribute key (span, event and resource) and event name seen, and the
// names otelgrpc gives every method of the CRI services: one span per RPC,
// named after the method.
func emittedTelemetry(t *testing.T) emitted {
	t.Helper()
	recv, err := otlpreceiver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(recv.Stop)
	dir := testutil.SocketDir(t)
	back := startTraced(t, filepath.Join(dir, "rt.sock"), recv.Addr(), runtimeService)
	front := startTraced(t, filepath.Join(dir, "front.sock"), recv.Addr(), frontService, "--runtime-endpoint", "unix://"+back.Socket)
	conn := testutil.DialCRI(t, front.Socket)

	// Each daemon finds the collector with a probe; wait until both trace.
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	testutil.WaitFor(t, 30*time.Second, "Version spans from both daemons", func() bool {
		ctx, _ := testutil.SampledParent(t.Context())
		if _, err := rt.Version(ctx, &runtimeapi.VersionRequest{}); err != nil {
			t.Fatalf("Version: %v", err)
		}
		services := map[string]bool{}
		for _, s := range recv.Spans() {
			services[s.Service] = true
		}
		return services[frontService] && services[runtimeService]
	})
	podLife(t, conn)
	for _, d := range []*testutil.Daemon{front, back} {
		if code := d.Stop(t); code != 0 {
			t.Fatalf("daemon on %s exited %d after SIGTERM, want 0\n%s", d.Socket, code, d.Stderr.String())
		}
	}
	// Both flushed on the way out: the receiver has everything.
	e := collectEmitted(recv.Spans())
	checkRepresentative(t, recv.Spans(), e)
	for _, desc := range []grpc.ServiceDesc{runtimeapi.RuntimeService_ServiceDesc, runtimeapi.ImageService_ServiceDesc} {
		for _, m := range desc.Methods {
			e.Spans[desc.ServiceName+"/"+m.MethodName] = true
		}
		for _, s := range desc.Streams {
			e.Spans[desc.ServiceName+"/"+s.StreamName] = true
		}
	}
	return e
}

// collectEmitted records the names and keys of spans.
func collectEmitted(spans []otlpreceiver.Span) emitted {
	e := emitted{Spans: map[string]bool{}, Attributes: map[string]bool{}, Events: map[string]bool{},
		Kinds: map[string]map[string]bool{}, SpanAttributes: map[string]bool{}}
	for _, s := range spans {
		e.Spans[s.Name] = true
		if e.Kinds[s.Name] == nil {
			e.Kinds[s.Name] = map[string]bool{}
		}
		e.Kinds[s.Name][s.Kind] = true
		for k := range s.Attributes {
			e.Attributes[k] = true
			e.SpanAttributes[k] = true
		}
		for k := range s.Resource {
			e.Attributes[k] = true
		}
		for _, ev := range s.Events {
			e.Events[ev.Name] = true
			for k := range ev.Attributes {
				e.Attributes[k] = true
				e.SpanAttributes[k] = true
			}
		}
	}
	return e
}

// startTraced starts a daemon on sock exporting every span it makes to the
// collector at endpoint under the service name service.
func startTraced(t *testing.T, sock, endpoint, service string, flags ...string) *testutil.Daemon {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), service+".conf")
	body := "[crio.tracing]\nenable_tracing = true\n" +
		"tracing_endpoint = \"" + endpoint + "\"\n" +
		"tracing_service_name = \"" + service + "\"\n" +
		"tracing_export_interval = \"100ms\"\ntracing_probe_interval = \"200ms\"\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	d := testutil.StartDaemon(t, daemonBin, nil, append([]string{"--listen", sock, "--config", cfg}, flags...)...)
	d.WaitServing(t)
	return d
}

// podLife makes the calls kubelet makes to start and stop a pod with one
// container, each under a sampled kubelet span, and one call that fails.
func podLife(t *testing.T, conn *grpc.ClientConn) {
	t.Helper()
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	img := runtimeapi.NewImageServiceClient(conn)
	ctx := func() context.Context {
		c, _ := testutil.SampledParent(t.Context())
		return c
	}
	pod := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "default", Uid: "9a6c1d4e-0b7f-4c55-8d0e-1f2a3b4c5d6e"},
		LogDirectory: "/var/log/pods/default_web_9a6c1d4e-0b7f-4c55-8d0e-1f2a3b4c5d6e",
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// A RuntimeClass names the handler; without one it is empty and not recorded.
	sb, err := rt.RunPodSandbox(ctx(), &runtimeapi.RunPodSandboxRequest{Config: pod, RuntimeHandler: "runc"})
	must("RunPodSandbox", err)
	_, err = rt.PodSandboxStatus(ctx(), &runtimeapi.PodSandboxStatusRequest{PodSandboxId: sb.PodSandboxId})
	must("PodSandboxStatus", err)
	image := &runtimeapi.ImageSpec{Image: "docker.io/library/busybox:1.36"}
	_, err = img.ImageStatus(ctx(), &runtimeapi.ImageStatusRequest{Image: image})
	must("ImageStatus", err)
	_, err = img.PullImage(ctx(), &runtimeapi.PullImageRequest{Image: image, SandboxConfig: pod})
	must("PullImage", err)
	ctr, err := rt.CreateContainer(ctx(), &runtimeapi.CreateContainerRequest{
		PodSandboxId:  sb.PodSandboxId,
		Config:        &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "app"}, Image: image, LogPath: "app/0.log"},
		SandboxConfig: pod,
	})
	must("CreateContainer", err)
	_, err = rt.StartContainer(ctx(), &runtimeapi.StartContainerRequest{ContainerId: ctr.ContainerId})
	must("StartContainer", err)
	_, err = rt.ContainerStatus(ctx(), &runtimeapi.ContainerStatusRequest{ContainerId: ctr.ContainerId})
	must("ContainerStatus", err)
	_, err = rt.StopContainer(ctx(), &runtimeapi.StopContainerRequest{ContainerId: ctr.ContainerId, Timeout: 1})
	must("StopContainer", err)
	_, err = rt.RemoveContainer(ctx(), &runtimeapi.RemoveContainerRequest{ContainerId: ctr.ContainerId})
	must("RemoveContainer", err)
	_, err = rt.StopPodSandbox(ctx(), &runtimeapi.StopPodSandboxRequest{PodSandboxId: sb.PodSandboxId})
	must("StopPodSandbox", err)
	_, err = rt.RemovePodSandbox(ctx(), &runtimeapi.RemovePodSandboxRequest{PodSandboxId: sb.PodSandboxId})
	must("RemovePodSandbox", err)
	// The container is gone: kubelet's late status call fails with NotFound.
	if _, err := rt.ContainerStatus(ctx(), &runtimeapi.ContainerStatusRequest{ContainerId: ctr.ContainerId}); err == nil {
		t.Fatal("ContainerStatus of a removed container succeeded")
	}
}

// checkRepresentative fails t unless the run showed every kind of span and
// every name the code defines as a constant: each inner span name of the
// embedded runtime (internal/runtime/embedded/spans.go), each attribute key
// of the server (internal/criattrs/keys.go), SERVER and CLIENT spans, and the
// error attribute. A new constant that the run misses fails here, so the
// run grows with the code.
func checkRepresentative(t *testing.T, spans []otlpreceiver.Span, e emitted) {
	t.Helper()
	kinds := map[string]bool{}
	for _, s := range spans {
		kinds[s.Kind] = true
	}
	for _, k := range []string{"SERVER", "CLIENT", "INTERNAL"} {
		if !kinds[k] {
			t.Errorf("no %s span was emitted; spans: %v", k, sorted(e.Spans))
		}
	}
	for _, name := range stringConsts(t, "../internal/runtime/embedded/spans.go", "Span") {
		if !e.Spans[name] {
			t.Errorf("inner span %q (internal/runtime/embedded/spans.go) was not emitted by the run; spans: %v", name, sorted(e.Spans))
		}
	}
	for _, key := range stringConsts(t, "../internal/criattrs/keys.go", "Attr") {
		if !e.Attributes[key] {
			t.Errorf("attribute %q (internal/criattrs/keys.go) was not emitted by the run; attributes: %v", key, sorted(e.Attributes))
		}
	}
	if !e.Attributes["rpc.grpc.status_code"] {
		t.Errorf("the failing call left no rpc.grpc.status_code; attributes: %v", sorted(e.Attributes))
	}
}

// stringConsts returns the string values of the constants in the Go file at
// path whose names start with prefix: "crio.image.pull" for SpanImagePull
// = "crio.image.pull", "k8s.pod.name" for AttrPodName =
// attribute.Key("k8s.pod.name").
func stringConsts(t *testing.T, path, prefix string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	var out []string
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, prefix) || i >= len(vs.Values) {
					continue
				}
				if s, ok := stringValue(vs.Values[i]); ok {
					out = append(out, s)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s* string constants in %s: is the checker still reading the right file?", prefix, path)
	}
	return out
}

// stringValue returns the string literal e is, or wraps in a conversion
// (attribute.Key("x")).
func stringValue(e ast.Expr) (string, bool) {
	if call, ok := e.(*ast.CallExpr); ok && len(call.Args) == 1 {
		e = call.Args[0]
	}
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
