package server

import (
	"context"
	"slices"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// rootDecision is what the default rules do with a root span of one CRI
// method. test/daemon/kubelet_calls_test.go replays the calls themselves
// through kubelet's client, with the kubelet code that makes each.
type rootDecision int

const (
	byRate rootDecision = iota // no rule: the rate decides
	never                      // kubelet polls it
	always
)

// defaultDecisions covers every method of the CRI API.
var defaultDecisions = map[string]rootDecision{
	// Polled by kubelet on timers.
	"runtime.v1.RuntimeService/ListPodSandbox":          never,
	"runtime.v1.RuntimeService/ListContainers":          never,
	"runtime.v1.RuntimeService/ContainerStatus":         never,
	"runtime.v1.RuntimeService/Status":                  never,
	"runtime.v1.RuntimeService/Version":                 never,
	"runtime.v1.RuntimeService/ExecSync":                never,
	"runtime.v1.RuntimeService/ListPodSandboxStats":     never,
	"runtime.v1.RuntimeService/ListContainerStats":      never,
	"runtime.v1.RuntimeService/ListPodSandboxMetrics":   never,
	"runtime.v1.ImageService/ImageFsInfo":               never,
	"runtime.v1.ImageService/ListImages":                never,
	"runtime.v1.RuntimeService/StreamPodSandboxes":      never,
	"runtime.v1.RuntimeService/StreamContainers":        never,
	"runtime.v1.RuntimeService/StreamPodSandboxStats":   never,
	"runtime.v1.RuntimeService/StreamContainerStats":    never,
	"runtime.v1.RuntimeService/StreamPodSandboxMetrics": never,
	"runtime.v1.ImageService/StreamImages":              never,

	"runtime.v1.ImageService/PullImage": always,

	// Called when a pod starts, stops or changes, or by people.
	"runtime.v1.RuntimeService/RunPodSandbox":             byRate,
	"runtime.v1.RuntimeService/PodSandboxStatus":          byRate,
	"runtime.v1.ImageService/ImageStatus":                 byRate,
	"runtime.v1.RuntimeService/CreateContainer":           byRate,
	"runtime.v1.RuntimeService/StartContainer":            byRate,
	"runtime.v1.RuntimeService/StopContainer":             byRate,
	"runtime.v1.RuntimeService/RemoveContainer":           byRate,
	"runtime.v1.RuntimeService/StopPodSandbox":            byRate,
	"runtime.v1.RuntimeService/RemovePodSandbox":          byRate,
	"runtime.v1.RuntimeService/UpdateContainerResources":  byRate,
	"runtime.v1.RuntimeService/UpdatePodSandboxResources": byRate,
	"runtime.v1.RuntimeService/ReopenContainerLog":        byRate,
	"runtime.v1.RuntimeService/Exec":                      byRate,
	"runtime.v1.RuntimeService/Attach":                    byRate,
	"runtime.v1.RuntimeService/PortForward":               byRate,
	"runtime.v1.RuntimeService/ContainerStats":            byRate,
	"runtime.v1.RuntimeService/PodSandboxStats":           byRate,
	"runtime.v1.RuntimeService/UpdateRuntimeConfig":       byRate,
	"runtime.v1.RuntimeService/CheckpointContainer":       byRate,
	"runtime.v1.RuntimeService/CheckpointPod":             byRate,
	"runtime.v1.RuntimeService/RestorePod":                byRate,
	"runtime.v1.RuntimeService/ListMetricDescriptors":     byRate,
	"runtime.v1.RuntimeService/RuntimeConfig":             byRate,
	"runtime.v1.RuntimeService/GetContainerEvents":        byRate,
	"runtime.v1.ImageService/RemoveImage":                 byRate,
}

// TestDefaultRulesPerMethod starts a root SERVER span for every CRI method
// at rate 1000000 and at rate 0 with the default rules, and checks the
// sampler kept exactly those the table says.
func TestDefaultRulesPerMethod(t *testing.T) {
	var api []string
	for _, sd := range []grpc.ServiceDesc{runtimeapi.RuntimeService_ServiceDesc, runtimeapi.ImageService_ServiceDesc} {
		for _, m := range sd.Methods {
			api = append(api, sd.ServiceName+"/"+m.MethodName)
		}
		for _, s := range sd.Streams {
			api = append(api, sd.ServiceName+"/"+s.StreamName)
		}
	}
	slices.Sort(api)
	var table []string
	for name := range defaultDecisions {
		table = append(table, name)
	}
	slices.Sort(table)
	if !slices.Equal(api, table) {
		t.Fatalf("the table covers %d methods %q,\nthe CRI API has %d: %q", len(table), table, len(api), api)
	}

	for _, rate := range []int{1_000_000, 0} {
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(tracing.NewSampler(DefaultSamplingRules(), rate)), sdktrace.WithSpanProcessor(rec))
		for _, name := range api {
			_, span := tp.Tracer("t").Start(context.Background(), name, trace.WithSpanKind(trace.SpanKindServer))
			span.End()
		}
		var got []string
		for _, s := range rec.Ended() {
			got = append(got, s.Name())
		}
		var want []string
		for _, name := range api {
			switch d := defaultDecisions[name]; {
			case d == always, d == byRate && rate == 1_000_000:
				want = append(want, name)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("rate %d: sampled roots %q,\nwant %q", rate, got, want)
		}
		if err := tp.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDefaultRulesNameMethodsExactly: every default rule is one full
// method name, no glob, so no rule can catch a method it was not written
// for (the old "*Status" also caught ImageStatus and PodSandboxStatus).
func TestDefaultRulesNameMethodsExactly(t *testing.T) {
	seen := make(map[string]bool)
	for _, s := range DefaultSamplingRules() {
		r, err := tracing.ParseRule(s)
		if err != nil {
			t.Fatalf("default rule %q: %v", s, err)
		}
		if _, ok := defaultDecisions[r.Pattern]; !ok {
			t.Errorf("default rule %q does not name one CRI method", s)
		}
		if seen[r.Pattern] {
			t.Errorf("method %s has two default rules", r.Pattern)
		}
		seen[r.Pattern] = true
	}
}
