package forward

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/test/harness"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// svcCrictl is the service.name crictl v1.30 puts on its spans (measured).
const svcCrictl = "cri-tools"

// crictlMethods are the CRI methods TestCrictl's commands call.
var crictlMethods = []string{
	"PullImage", "RunPodSandbox", "CreateContainer", "StartContainer", "ExecSync",
	"StopContainer", "RemoveContainer", "StopPodSandbox", "RemovePodSandbox",
}

// TestCrictl drives each runtime through crio-trace with crictl v1.30 —
// version, pull, runp, create, start, exec, logs, stop, rm, stopp, rmp —
// with tracing on in crictl, crio-trace and the runtime. Every command
// must do what it does against the runtime directly, and the spans must
// chain crictl CLIENT → crio-trace SERVER → crio-trace CLIENT → runtime
// SERVER for each method.
func TestCrictl(t *testing.T) {
	forEachRuntime(t, testCrictl)
}

func testCrictl(t *testing.T, rc runtimeCase) {
	recv := startReceiver(t)
	env := rc.startTraced(t, recv.Addr())
	d := startDaemon(t, "--runtime-endpoint", env.Runtime.Endpoint(),
		"--enable-tracing", "--tracing-endpoint", recv.Addr())
	dir := t.TempDir()
	podJSON := testutil.WriteJSON(t, dir, "pod.json", map[string]any{
		"metadata":      map[string]any{"name": "crictl-pod", "namespace": podNamespace, "uid": "crictl-pod-uid"},
		"log_directory": dir,
		"linux":         map[string]any{"security_context": map[string]any{"namespace_options": map[string]any{"network": 2}}},
	})
	ctrJSON := testutil.WriteJSON(t, dir, "ctr.json", map[string]any{
		"metadata": map[string]any{"name": "talker"},
		"image":    map[string]any{"image": env.BusyboxImage},
		"command":  []string{"sh", "-c", "echo " + logLine + "; exec sleep 3600"},
		"log_path": "talker.log",
	})
	crictl := func(t *testing.T, args ...string) string {
		t.Helper()
		traced := append([]string{"--enable-tracing", "--tracing-endpoint", recv.Addr()}, args...)
		out, err := harness.Crictl(t, env.Tools, d.endpoint(), traced...)
		if err != nil {
			t.Fatalf("crictl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}

	wantRuntime := map[string]string{svcContainerd: "containerd", svcCrio: "cri-o"}[rc.svc]
	start := time.Now()
	var pod, ctr string
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{name: "version names the runtime", run: func(t *testing.T) {
			if out := crictl(t, "version"); !strings.Contains(out, "RuntimeName:  "+wantRuntime) {
				t.Errorf("crictl version through crio-trace:\n%s\nwant RuntimeName %s", out, wantRuntime)
			}
		}},
		{name: "pull", run: func(t *testing.T) { crictl(t, "pull", env.BusyboxImage) }},
		{name: "runp", run: func(t *testing.T) { pod = crictl(t, "runp", podJSON) }},
		{name: "create", run: func(t *testing.T) { ctr = crictl(t, "create", pod, ctrJSON, podJSON) }},
		{name: "start", run: func(t *testing.T) { crictl(t, "start", ctr) }},
		{name: "exec", run: func(t *testing.T) {
			if got := crictl(t, "exec", "-s", ctr, "echo", "hi"); got != "hi" {
				t.Errorf("exec echo hi printed %q", got)
			}
		}},
		{name: "logs", run: func(t *testing.T) {
			err := testutil.PollUntilNil(10*time.Second, func() error {
				if out := crictl(t, "logs", ctr); !strings.Contains(out, logLine) {
					return fmt.Errorf("crictl logs printed %q", out)
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}},
		{name: "stop", run: func(t *testing.T) { crictl(t, "stop", ctr) }},
		{name: "rm", run: func(t *testing.T) { crictl(t, "rm", ctr) }},
		{name: "stopp", run: func(t *testing.T) { crictl(t, "stopp", pod) }},
		{name: "rmp", run: func(t *testing.T) { crictl(t, "rmp", pod) }},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return
		}
	}
	t.Logf("crictl through crio-trace to %s: %d commands in %s", rc.name, len(steps), time.Since(start).Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(t.Context(), runtimeSpansWait)
	defer cancel()
	spans, err := recv.WaitFor(ctx, func(s []otlpreceiver.Span) bool {
		return hasAll(s, svcCrictl, kindClient, crictlMethods) && hasAll(s, svcCrioTrace, kindServer, crictlMethods) &&
			hasAll(s, svcCrioTrace, kindClient, crictlMethods) && hasAll(s, rc.svc, kindServer, crictlMethods)
	})
	if err != nil {
		t.Fatalf("never received crictl CLIENT, crio-trace SERVER and CLIENT, and %s SERVER spans for each of %v: %v\ncrictl spans:\n%s\ncrio-trace spans:\n%s",
			rc.svc, crictlMethods, err, spanCensus(spans, svcCrictl), spanCensus(spans, svcCrioTrace))
	}
	// crio-trace's own probe of the runtime (a Version call outside any
	// trace) gives the runtime root spans of its own; check crictl's traces.
	spans = tracesOf(spans, svcCrictl)
	crictlToServer := hop{svcCrioTrace, kindServer, svcCrictl, kindClient}
	for _, h := range []hop{crictlToServer, serverToClient, clientToRuntime(rc.svc)} {
		t.Run(fmt.Sprintf("%s %s under %s %s", h.childSvc, h.childKind, h.parentSvc, h.parentKind), func(t *testing.T) {
			for _, p := range checkHop(spans, h, crictlMethods) {
				t.Error(p)
			}
		})
	}
}

// tracesOf returns the spans of every trace holding a span of service.
func tracesOf(spans []otlpreceiver.Span, service string) []otlpreceiver.Span {
	traces := map[string]bool{}
	for _, s := range spans {
		if s.Service == service {
			traces[s.TraceID] = true
		}
	}
	var out []otlpreceiver.Span
	for _, s := range spans {
		if traces[s.TraceID] {
			out = append(out, s)
		}
	}
	return out
}
