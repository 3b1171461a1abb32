package systems_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// Services as the three programs name themselves.
const (
	svcKubelet    = "kubelet"
	svcCrioTrace  = "crio-trace"
	svcContainerd = "containerd"
)

// creationCalls are the CRI calls of a pod's creation that must each show
// the whole chain (PullImage too when kubelet pulled in that trace).
var creationCalls = []string{
	"runtime.v1.RuntimeService/RunPodSandbox",
	"runtime.v1.RuntimeService/CreateContainer",
	"runtime.v1.RuntimeService/StartContainer",
}

// TestSystems runs a static pod through kubelet → crio-trace → containerd
// and checks the trace in Jaeger (over OTLP and Zipkin) and the per-RPC
// metrics in Prometheus.
func TestSystems(t *testing.T) {
	s := startStack(t, stackOptions{})
	d := startDaemon(t, s.st, s.runtime.Endpoint(), s.b.CollectorOTLP, true)
	k := startKubelet(t, s.st, s.ns, kubeletOptions{Runtime: d.endpoint(), OTLP: s.b.CollectorOTLP})
	ctx := t.Context()

	const podName = "traced"
	full, took := s.runPod(t, k, podName)
	if err := waitFor(ctx, k.Process, "kubelet reporting the pod Running", time.Minute, 100*time.Millisecond, func() (bool, error) {
		phase, err := k.podPhase(ctx, full)
		return phase == "Running", err
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("pod %s running %s after its manifest appeared", full, took.Round(time.Millisecond))
	s.stopPod(t, k, podName, full)
	if err := waitFor(ctx, k.Process, "kubelet forgetting the pod", time.Minute, 100*time.Millisecond, func() (bool, error) {
		phase, err := k.podPhase(ctx, full)
		return phase == "", err
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("pod %s torn down after its manifest was removed", full)

	spans := waitForTrace(t, s.b.JaegerQuery, full, throughCrioTrace)
	checkChains(t, spans, throughCrioTrace)
	t.Run("pod attributes on crio-trace's spans", func(t *testing.T) { checkPodAttributes(t, spans, full, throughCrioTrace) })
	t.Run("zipkin copy", func(t *testing.T) { checkZipkinCopy(t, s.b.ZipkinJaegerQuery, spans[0].TraceID) })
	t.Run("prometheus span metrics", func(t *testing.T) { checkSpanMetrics(t, s.b.PrometheusAPI) })

	keepWaterfall(t, s, spans, "kubelet → crio-trace → containerd: "+full, "waterfall.html")
}

// checkChains checks c for every creation call, and for PullImage when
// kubelet pulled in this trace.
func checkChains(t *testing.T, spans []otlpreceiver.Span, c chain) {
	t.Helper()
	for _, call := range creationCalls {
		t.Run("chain "+call, func(t *testing.T) { checkChain(t, spans, call, c) })
	}
	if slices.ContainsFunc(spans, func(sp otlpreceiver.Span) bool {
		return sp.Service == svcKubelet && sp.Name == "runtime.v1.ImageService/PullImage"
	}) {
		t.Run("chain PullImage", func(t *testing.T) { checkChain(t, spans, "runtime.v1.ImageService/PullImage", c) })
	}
}

// waitForTrace polls Jaeger until kubelet's syncPod trace of the pod holds
// the runtime's spans for every creation call (runtimes batch for ~5 s),
// and returns it.
func waitForTrace(t *testing.T, jaeger, fullPod string, c chain) []otlpreceiver.Span {
	t.Helper()
	var found []otlpreceiver.Span
	var seen int
	err := waitFor(t.Context(), nil, "the pod's trace in Jaeger", 90*time.Second, 500*time.Millisecond, func() (bool, error) {
		traces, err := findTraces(t.Context(), jaeger, svcKubelet, "syncPod")
		if err != nil {
			return false, err
		}
		seen = len(traces)
		for _, tr := range traces {
			spans := toSpans(tr)
			if !slices.ContainsFunc(spans, func(sp otlpreceiver.Span) bool {
				return sp.Service == c.annotator() && sp.Name == creationCalls[0] && sp.Attributes["k8s.pod.name"] == fullPod
			}) {
				continue
			}
			complete := true
			for _, call := range creationCalls {
				if !slices.ContainsFunc(spans, func(sp otlpreceiver.Span) bool { return sp.Service == c.runtime && sp.Name == call }) {
					complete = false
				}
			}
			if complete {
				found = spans
				return true, nil
			}
		}
		return false, fmt.Errorf("%d syncPod traces, none complete yet", seen)
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// checkPodAttributes: the SERVER spans of the pod's creation that carry
// CRI attributes (crio-trace's, or crio-kit's without crio-trace in front)
// hold the pod's name and namespace, its uid, and the container's name.
func checkPodAttributes(t *testing.T, spans []otlpreceiver.Span, fullPod string, c chain) {
	t.Helper()
	want := map[string]string{"k8s.pod.name": fullPod, "k8s.namespace.name": "default"}
	for _, call := range creationCalls {
		var attrs map[string]string
		for _, sp := range spans {
			if sp.Service == c.annotator() && sp.Kind == "SERVER" && sp.Name == call {
				attrs = sp.Attributes
			}
		}
		if attrs == nil {
			t.Errorf("no %s SERVER span %s", c.annotator(), call)
			continue
		}
		for k, v := range want {
			if attrs[k] != v {
				t.Errorf("%s: %s=%q, want %q (attributes %v)", call, k, attrs[k], v, attrs)
			}
		}
		if attrs["k8s.pod.uid"] == "" && call == creationCalls[0] {
			t.Errorf("%s: no k8s.pod.uid (attributes %v)", call, attrs)
		}
		if call == "runtime.v1.RuntimeService/CreateContainer" && attrs["k8s.container.name"] != "sleeper" {
			t.Errorf("%s: k8s.container.name=%q, want sleeper", call, attrs["k8s.container.name"])
		}
	}
}

// checkZipkinCopy: the Jaeger fed in Zipkin format holds the same trace,
// with all three services.
func checkZipkinCopy(t *testing.T, jaeger, traceID string) {
	t.Helper()
	want := []string{svcContainerd, svcCrioTrace, svcKubelet}
	var got []string
	err := waitFor(t.Context(), nil, "the trace in the Zipkin-fed Jaeger", time.Minute, 500*time.Millisecond, func() (bool, error) {
		// Any operation: the Zipkin path may change names' case.
		traces, err := findTraces(t.Context(), jaeger, svcKubelet, "")
		if err != nil {
			return false, err
		}
		for _, tr := range traces {
			if strings.TrimLeft(tr.TraceID, "0") != strings.TrimLeft(traceID, "0") {
				continue
			}
			services := map[string]bool{}
			for _, sp := range toSpans(tr) {
				services[sp.Service] = true
			}
			got = got[:0]
			for s := range services {
				got = append(got, s)
			}
			slices.Sort(got)
			return slices.Equal(got, want), nil
		}
		return false, fmt.Errorf("trace %s not there yet (%d kubelet traces)", traceID, len(traces))
	})
	if err != nil {
		services, serr := jaegerServices(t.Context(), jaeger)
		t.Fatalf("%v (services in the trace: %v; services Jaeger knows: %v %v)", err, got, services, serr)
	}
}

// checkSpanMetrics: Prometheus scraped per-RPC call counts and duration
// histograms of crio-trace's RPCs from the spanmetrics connector.
func checkSpanMetrics(t *testing.T, prom string) {
	t.Helper()
	queries := []struct{ name, query string }{
		{"calls", `traces_span_metrics_calls_total{service_name="crio-trace",span_kind="SPAN_KIND_SERVER"}`},
		{"duration histogram", `{__name__=~"traces_span_metrics_duration.*_bucket",service_name="crio-trace",span_kind="SPAN_KIND_SERVER"}`},
	}
	for _, q := range queries {
		var methods []string
		err := waitFor(t.Context(), nil, "Prometheus series "+q.name, time.Minute, 500*time.Millisecond, func() (bool, error) {
			series, err := promQuery(t.Context(), prom, q.query)
			if err != nil {
				return false, err
			}
			methods = methods[:0]
			for _, s := range series {
				if !slices.Contains(methods, s.Metric["span_name"]) {
					methods = append(methods, s.Metric["span_name"])
				}
			}
			for _, call := range creationCalls {
				if !slices.Contains(methods, call) {
					return false, nil
				}
			}
			return true, nil
		})
		if err != nil {
			t.Errorf("%v: per-RPC series for %v, got span names %v", err, creationCalls, methods)
			continue
		}
		t.Logf("Prometheus has %s for %d crio-trace RPCs", q.name, len(methods))
	}
}
