package forward

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/test/harness"
)

// systemsEnv set to "skip" skips TestContainerdSpans (loudly) when the
// upstream containerd build is missing; otherwise a missing build fails it.
const systemsEnv = "CRIO_TRACE_SYSTEMS"

// buildTools builds upstream containerd with its tracing plugins; relative
// to the repository root.
const buildTools = "hack/systems/build-tools.sh"

// containerdSpansWait bounds the wait for containerd's spans: its exporter
// batches for about 5 s after a span ends.
const containerdSpansWait = 45 * time.Second

// TestContainerdSpans runs upstream containerd v1.6.20 (built by
// hack/systems/build-tools.sh with its tracing plugins, exporting to the
// test's receiver) behind crio-trace and checks that one pod lifecycle gives
// one trace: kubelet CLIENT → crio-trace SERVER → crio-trace CLIENT →
// containerd SERVER, for every RPC.
func TestContainerdSpans(t *testing.T) {
	harness.RequireRoot(t)
	bin := upstreamContainerd(t)
	recv := startReceiver(t)
	env := harness.StartWith(t, harness.ContainerdOptions{Binary: bin, ExtraConfig: harness.TracingConfig(recv.Addr())})
	d := startDaemon(t, "--runtime-endpoint", env.Containerd.Endpoint(),
		"--enable-tracing", "--tracing-endpoint", recv.Addr())
	k := newKubelet(t, d.endpoint(), recv.Addr())

	ctx, root := k.tp.Tracer("k8s.io/kubernetes/pkg/kubelet/kuberuntime").Start(k.ctx, "syncPod")
	runLifecycle(ctx, t, k, env.BusyboxImage)
	root.End()
	k.flush(t)
	if t.Failed() {
		return
	}
	ended := time.Now()

	traceID := root.SpanContext().TraceID().String()
	wctx, cancel := context.WithTimeout(t.Context(), containerdSpansWait)
	defer cancel()
	spans, err := recv.WaitFor(wctx, func(s []otlpreceiver.Span) bool {
		tr := otlpreceiver.Trace(s, traceID)
		return hasAll(tr, svcCrioTrace, kindClient, lifecycleMethods) && hasAll(tr, svcContainerd, kindServer, lifecycleMethods)
	})
	trace := otlpreceiver.Trace(spans, traceID)
	if err != nil {
		t.Fatalf("the trace never held a containerd SERVER span for each of %v: %v\ntrace:\n%s\ncontainerd spans in other traces: %d",
			lifecycleMethods, err, describe(trace), countService(spans, svcContainerd))
	}
	t.Logf("containerd's spans arrived %s after the lifecycle ended", time.Since(ended).Round(time.Millisecond))
	for _, h := range []hop{kubeletToServer, serverToClient, clientToRuntime} {
		t.Run(fmt.Sprintf("%s %s under %s %s", h.childSvc, h.childKind, h.parentSvc, h.parentKind), func(t *testing.T) {
			for _, p := range checkHop(trace, h, lifecycleMethods) {
				t.Error(p)
			}
			if t.Failed() {
				t.Logf("trace:\n%s", describe(trace))
			}
		})
	}
	t.Run("no secrets in any span", func(t *testing.T) {
		for _, l := range leaks(recv.Spans(), planted) {
			t.Error(l)
		}
	})
}

// upstreamContainerd returns the path of the containerd built with tracing
// plugins, or fails (skips with CRIO_TRACE_SYSTEMS=skip) naming the build
// command.
func upstreamContainerd(t *testing.T) string {
	t.Helper()
	tools := harness.FindTools(t)
	script := filepath.Join(tools.RepoRoot, buildTools)
	out, err := exec.CommandContext(t.Context(), "bash", script, "--print-bin-dir").Output()
	if err != nil {
		t.Fatalf("asking %s for its bin dir: %v", script, err)
	}
	bin := filepath.Join(string(bytes.TrimSpace(out)), "containerd")
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
		return bin
	}
	msg := fmt.Sprintf("upstream containerd with tracing plugins is not built (%s missing); build it with:\n  %s containerd\n(or run `sudo make systems`)",
		bin, script)
	if os.Getenv(systemsEnv) == "skip" {
		t.Skipf("SKIPPING %s: %s=skip is set and %s", t.Name(), systemsEnv, msg)
	}
	t.Fatalf("%s\nor set %s=skip to skip this test", msg, systemsEnv)
	return ""
}

// countService counts the spans of service.
func countService(spans []otlpreceiver.Span, service string) int {
	n := 0
	for _, s := range spans {
		if s.Service == service {
			n++
		}
	}
	return n
}
