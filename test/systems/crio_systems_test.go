package systems_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/waterfall"
)

// svcCrio is the service.name CRI-O gives its spans, stock or with the kit.
const svcCrio = "crio"

// TestSystemsCrio runs a static pod through a real kubelet and CRI-O in the
// two ways an OpenShift node can get CRI-O traces: crio-trace in front of
// stock CRI-O v1.34.0 (CRI-O's own tracing on too), and crio-kit — CRI-O
// with crio-trace's kit ported in by hack/crio-port — with kubelet talking
// to it directly. Each trace, read back from Jaeger, must hold the whole
// chain for RunPodSandbox, CreateContainer, StartContainer (and PullImage
// when kubelet pulled), with the pod's attributes on the spans that carry
// CRI attributes; with the kit, CRI-O must answer each RPC with exactly one
// span named for it.
func TestSystemsCrio(t *testing.T) {
	for _, tc := range []struct {
		name    string
		runtime string
		c       chain
	}{
		{name: "crio-trace in front of CRI-O", runtime: runtimeCrio, c: chain{front: true, runtime: svcCrio}},
		{name: "CRI-O with the kit", runtime: runtimeCrioKit, c: chain{runtime: svcCrio}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startStack(t, stackOptions{runtime: tc.runtime})
			endpoint := s.runtime.Endpoint()
			if tc.c.front {
				endpoint = startDaemon(t, s.st, endpoint, s.b.CollectorOTLP, true).endpoint()
			}
			k := startKubelet(t, s.st, s.ns, kubeletOptions{Runtime: endpoint, OTLP: s.b.CollectorOTLP})
			const podName = "traced"
			full, took := s.runPod(t, k, podName)
			t.Logf("%s: pod %s running %s after its manifest appeared", tc.c, full, took.Round(time.Millisecond))
			s.stopPod(t, k, podName, full)

			spans := waitForTrace(t, s.b.JaegerQuery, full, tc.c)
			checkChains(t, spans, tc.c)
			t.Run("pod attributes", func(t *testing.T) { checkPodAttributes(t, spans, full, tc.c) })
			extra := spansNamedForCalls(spans, svcCrio)
			t.Logf("CRI-O's spans named for a creation call, beyond its SERVER span: %v", extra)
			if !tc.c.front {
				t.Run("one span per RPC", func(t *testing.T) {
					if len(extra) > 0 {
						t.Errorf("crio-kit made more spans named for the RPC than its SERVER span: %v", extra)
					}
				})
			}
			keepWaterfall(t, s, spans, tc.c.String()+": "+full, "waterfall-"+tc.runtime+".html")
		})
	}
}

// spansNamedForCalls counts, per creation call, the spans of svc other than
// its SERVER span that stand for the RPC itself (see namedFor) — the second
// and third span per RPC of stock CRI-O.
func spansNamedForCalls(spans []otlpreceiver.Span, svc string) map[string]int {
	out := map[string]int{}
	for _, call := range creationCalls {
		method := call[strings.LastIndex(call, "/")+1:]
		for _, sp := range spans {
			if sp.Service == svc && sp.Kind != "SERVER" && namedFor(sp.Name, call, method) {
				out[call]++
			}
		}
	}
	return out
}

// namedFor reports whether a span name stands for the RPC call at the CRI
// server: the call's own name (with or without stock CRI-O's interceptor's
// leading slash), stock CRI-O's handler span named after the Go method
// (github.com/cri-o/cri-o/server.(*Server).RunPodSandbox, or its unexported
// twin runPodSandbox that does the RPC's work), or a kit-style
// name of the server package's operation (crio.server.run_pod_sandbox).
// Inner operations of other layers (crio.oci.create_container) are not.
func namedFor(name, call, method string) bool {
	if name == call || name == "/"+call || strings.HasSuffix(strings.ToLower(name), strings.ToLower("server.(*Server)."+method)) {
		return true
	}
	op, ok := strings.CutPrefix(name, "crio.server.")
	return ok && strings.EqualFold(strings.ReplaceAll(op, "_", ""), method)
}

// keepWaterfall logs the trace as text and keeps it as HTML, titled title,
// in the file name among the run's artifacts.
func keepWaterfall(t *testing.T, s *stack, spans []otlpreceiver.Span, title, name string) {
	t.Helper()
	var text bytes.Buffer
	if err := waterfall.Text(&text, spans, waterfall.Options{}); err != nil {
		t.Fatalf("rendering the waterfall: %v", err)
	}
	t.Logf("trace %s:\n%s", spans[0].TraceID, text.String())
	var html bytes.Buffer
	if err := waterfall.HTML(&html, spans, title); err != nil {
		t.Fatalf("rendering the HTML waterfall: %v", err)
	}
	out := filepath.Join(s.artifactDir(t), name)
	if err := os.WriteFile(out, html.Bytes(), 0o644); err != nil {
		t.Fatalf("keeping the waterfall: %v", err)
	}
	t.Logf("waterfall kept at %s", out)
}
