package forward

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// runtimeSpansWait bounds the wait for a runtime's own spans: both
// exporters batch for about 5 s after a span ends.
const runtimeSpansWait = 45 * time.Second

// TestRuntimeSpans runs each runtime with its own tracing on behind
// crio-trace — upstream containerd v1.6.20 (built by
// hack/systems/build-tools.sh with its tracing plugins) and CRI-O v1.34.0
// ([crio.tracing]) — exporting to the test's receiver, and checks that one
// pod lifecycle gives one trace: kubelet CLIENT → crio-trace SERVER →
// crio-trace CLIENT → runtime SERVER, for every RPC.
func TestRuntimeSpans(t *testing.T) {
	forEachRuntime(t, testRuntimeSpans)
}

func testRuntimeSpans(t *testing.T, rc runtimeCase) {
	recv := startReceiver(t)
	env := rc.startTraced(t, recv.Addr())
	d := startDaemon(t, "--runtime-endpoint", env.Runtime.Endpoint(),
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
	wctx, cancel := context.WithTimeout(t.Context(), runtimeSpansWait)
	defer cancel()
	spans, err := recv.WaitFor(wctx, func(s []otlpreceiver.Span) bool {
		tr := otlpreceiver.Trace(s, traceID)
		return hasAll(tr, svcCrioTrace, kindClient, lifecycleMethods) && hasAll(tr, rc.svc, kindServer, lifecycleMethods)
	})
	trace := otlpreceiver.Trace(spans, traceID)
	if err != nil {
		t.Fatalf("the trace never held a %s SERVER span for each of %v: %v\ntrace:\n%s\n%s spans in other traces: %d",
			rc.svc, lifecycleMethods, err, describe(trace), rc.svc, countService(spans, rc.svc))
	}
	t.Logf("%s's spans arrived %s after the lifecycle ended; the trace holds %d spans, %d of them %s's",
		rc.svc, time.Since(ended).Round(time.Millisecond), len(trace), countService(trace, rc.svc), rc.svc)
	for _, h := range []hop{kubeletToServer, serverToClient, clientToRuntime(rc.svc)} {
		t.Run(fmt.Sprintf("%s %s under %s %s", h.childSvc, h.childKind, h.parentSvc, h.parentKind), func(t *testing.T) {
			for _, p := range checkHop(trace, h, lifecycleMethods) {
				t.Error(p)
			}
			if t.Failed() {
				t.Logf("trace:\n%s", describe(trace))
			}
		})
	}
	t.Logf("what %s adds below crio-trace's CLIENT spans, per span kind and name:\n%s", rc.svc, spanCensus(trace, rc.svc))
	t.Run("no secrets in any span", func(t *testing.T) {
		for _, l := range leaks(recv.Spans(), planted) {
			t.Error(l)
		}
	})
}

// spanCensus lists the spans of service in spans as "count kind name
// (parent: service kind)" lines, sorted, for the log.
func spanCensus(spans []otlpreceiver.Span, service string) string {
	ids := byID(spans)
	counts := map[string]int{}
	for _, s := range spans {
		if s.Service != service {
			continue
		}
		p := ids[s.ParentSpanID]
		counts[fmt.Sprintf("%-8s %s (parent: %s %s)", s.Kind, s.Name, p.Service, p.Kind)]++
	}
	lines := make([]string, 0, len(counts))
	for k, n := range counts {
		lines = append(lines, fmt.Sprintf("  %3d %s", n, k))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
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
