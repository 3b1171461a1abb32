package systems_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// chainTrace is a Jaeger /api/traces answer holding one complete chain for
// RunPodSandbox, in the shape Jaeger v2 returns it.
const chainTrace = `{"traceID":"0af7651916cd43dd8448eb211c80319c","spans":[
 {"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000001","operationName":"syncPod","references":[],
  "startTime":1000,"duration":900,"tags":[{"key":"span.kind","type":"string","value":"internal"},{"key":"k8s.pod","type":"string","value":"default/p"}],"logs":[],"processID":"p1"},
 {"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000002","operationName":"runtime.v1.RuntimeService/RunPodSandbox",
  "references":[{"refType":"CHILD_OF","traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000001"}],
  "startTime":1100,"duration":500,"tags":[{"key":"span.kind","type":"string","value":"client"},{"key":"otel.scope.name","type":"string","value":"otelgrpc"}],"logs":[],"processID":"p1"},
 {"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000003","operationName":"runtime.v1.RuntimeService/RunPodSandbox",
  "references":[{"refType":"CHILD_OF","traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000002"}],
  "startTime":1110,"duration":480,"tags":[{"key":"span.kind","type":"string","value":"server"},{"key":"k8s.pod.name","type":"string","value":"p"},{"key":"rpc.attempt","type":"int64","value":1}],"logs":[{"timestamp":1200,"fields":[{"key":"event","type":"string","value":"sandbox created"}]}],"processID":"p2"},
 {"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000004","operationName":"runtime.v1.RuntimeService/RunPodSandbox",
  "references":[{"refType":"CHILD_OF","traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000003"}],
  "startTime":1120,"duration":460,"tags":[{"key":"span.kind","type":"string","value":"client"}],"logs":[],"processID":"p2"},
 {"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000005","operationName":"runtime.v1.RuntimeService/RunPodSandbox",
  "references":[{"refType":"CHILD_OF","traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"0000000000000004"}],
  "startTime":1130,"duration":440,"tags":[{"key":"span.kind","type":"string","value":"server"},{"key":"otel.status_code","type":"string","value":"ERROR"},{"key":"otel.status_description","type":"string","value":"boom"}],"logs":[],"processID":"p3"}],
 "processes":{"p1":{"serviceName":"kubelet","tags":[{"key":"host.name","type":"string","value":"n"}]},
  "p2":{"serviceName":"crio-trace","tags":[]},"p3":{"serviceName":"containerd","tags":[]}}}`

func decodeChain(t *testing.T) []otlpreceiver.Span {
	t.Helper()
	var tr jaegerTrace
	if err := json.Unmarshal([]byte(chainTrace), &tr); err != nil {
		t.Fatal(err)
	}
	return toSpans(tr)
}

func TestToSpans(t *testing.T) {
	spans := decodeChain(t)
	if len(spans) != 5 {
		t.Fatalf("toSpans gave %d spans, want 5", len(spans))
	}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"root has no parent", spans[0].ParentSpanID, ""},
		{"parent from CHILD_OF", spans[1].ParentSpanID, "0000000000000001"},
		{"kind upper-cased", spans[1].Kind, "CLIENT"},
		{"scope from otel.scope.name", spans[1].Scope, "otelgrpc"},
		{"service from the process", spans[2].Service, "crio-trace"},
		{"string attribute", spans[2].Attributes["k8s.pod.name"], "p"},
		{"number attribute", spans[2].Attributes["rpc.attempt"], "1"},
		{"event name", spans[2].Events[0].Name, "sandbox created"},
		{"status code", spans[4].StatusCode, "ERROR"},
		{"status message", spans[4].StatusMessage, "boom"},
		{"unset status", spans[3].StatusCode, "UNSET"},
		{"resource from process tags", spans[0].Resource["host.name"], "n"},
		{"duration", spans[0].Duration().String(), "900µs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
	if _, ok := spans[1].Attributes["span.kind"]; ok {
		t.Error("span.kind kept as an attribute; it is the Kind field")
	}
}

func TestChainErrors(t *testing.T) {
	const call = "runtime.v1.RuntimeService/RunPodSandbox"
	tests := []struct {
		name    string
		mutate  func([]otlpreceiver.Span) []otlpreceiver.Span
		wantErr string // empty: the chain is whole
	}{
		{"whole chain", func(s []otlpreceiver.Span) []otlpreceiver.Span { return s }, ""},
		{"containerd span missing", func(s []otlpreceiver.Span) []otlpreceiver.Span { return s[:4] }, "containerd SERVER children"},
		{"crio-trace server not under kubelet", func(s []otlpreceiver.Span) []otlpreceiver.Span {
			s[2].ParentSpanID = "0000000000000001"
			return s
		}, "crio-trace SERVER children"},
		{"forward span missing", func(s []otlpreceiver.Span) []otlpreceiver.Span {
			return append(s[:3], s[4])
		}, "crio-trace CLIENT descendants"},
		{"root is not syncPod", func(s []otlpreceiver.Span) []otlpreceiver.Span {
			s[0].Name = "other"
			return s
		}, "want kubelet/syncPod"},
		{"no kubelet client span", func(s []otlpreceiver.Span) []otlpreceiver.Span { return s[2:] }, "no kubelet CLIENT span"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := chainErrors(tc.mutate(decodeChain(t)), call, throughCrioTrace)
			if tc.wantErr == "" {
				if len(errs) > 0 {
					t.Errorf("chainErrors() = %v, want none", errs)
				}
				return
			}
			for _, err := range errs {
				if strings.Contains(err.Error(), tc.wantErr) {
					return
				}
			}
			t.Errorf("chainErrors() = %v, want one containing %q", errs, tc.wantErr)
		})
	}
}

func TestChainErrorsDirect(t *testing.T) {
	const call = "runtime.v1.RuntimeService/CreateContainer"
	direct := chain{runtime: "crio"}
	sp := func(id, parent, svc, kind, name string) otlpreceiver.Span {
		return otlpreceiver.Span{TraceID: "t", SpanID: id, ParentSpanID: parent, Service: svc, Kind: kind, Name: name}
	}
	whole := func() []otlpreceiver.Span {
		return []otlpreceiver.Span{
			sp("1", "", svcKubelet, "INTERNAL", "syncPod"),
			sp("2", "1", svcKubelet, "CLIENT", call),
			sp("3", "2", "crio", "SERVER", call),
		}
	}
	if errs := chainErrors(whole(), call, direct); len(errs) > 0 {
		t.Errorf("whole direct chain: chainErrors() = %v, want none", errs)
	}
	tests := []struct {
		name  string
		spans []otlpreceiver.Span
		want  string
	}{
		{"runtime span missing", whole()[:2], "0 crio SERVER children"},
		{"a duplicate SERVER span", append(whole(), sp("4", "2", "crio", "SERVER", call)), "2 crio SERVER children"},
		{"crio-trace expected in front", whole(), "crio-trace SERVER children"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := direct
			if tc.name == "crio-trace expected in front" {
				c.front = true
			}
			errs := chainErrors(tc.spans, call, c)
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
				t.Errorf("chainErrors() = %v, want one error containing %q", errs, tc.want)
			}
		})
	}
}

func TestNamedFor(t *testing.T) {
	const call, method = "runtime.v1.RuntimeService/RunPodSandbox", "RunPodSandbox"
	for name, want := range map[string]bool{
		call:       true,
		"/" + call: true,
		"github.com/cri-o/cri-o/server.(*Server).RunPodSandbox":           true,
		"crio.server.run_pod_sandbox":                                     true,
		"crio.server.add_infra_container":                                 false,
		"crio.oci.run_pod_sandbox":                                        false,
		"github.com/cri-o/cri-o/internal/oci.(*runtimeOCI).RunPodSandbox": false,
		"runtime.v1.RuntimeService/RunPodSandboxes":                       false,
	} {
		if got := namedFor(name, call, method); got != want {
			t.Errorf("namedFor(%q) = %v, want %v", name, got, want)
		}
	}
}
