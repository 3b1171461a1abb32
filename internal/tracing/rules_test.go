package tracing

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*/PullImage", "runtime.v1.ImageService/PullImage", true},
		{"*/PullImage", "runtime.v1.ImageService/PullImages", false},
		{"*/List*", "runtime.v1.RuntimeService/ListContainers", true},
		{"*/List*", "runtime.v1.RuntimeService/StreamContainers", false},
		{"*Stats", "runtime.v1.RuntimeService/ListContainerStats", true},
		{"*Status", "runtime.v1.RuntimeService/ContainerStatus", true},
		{"*Status", "runtime.v1.RuntimeService/UpdateContainerResources", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"a*b*c", "a--b--b--c", true},
		{"a*b*c", "a--c--b", false},
		{"*", "", true},
		{"", "x", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %t, want %t", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestParseRule(t *testing.T) {
	tests := []struct {
		in      string
		want    Rule
		wantErr bool
	}{
		{in: "*/PullImage=always", want: Rule{"*/PullImage", 1_000_000}},
		{in: " */List* = never ", want: Rule{"*/List*", 0}},
		{in: "*/CreateContainer=250000", want: Rule{"*/CreateContainer", 250_000}},
		{in: "=always", wantErr: true},
		{in: "*/X", wantErr: true},
		{in: "*/X=sometimes", wantErr: true},
		{in: "*/X=1000001", wantErr: true},
		{in: "*/X=-1", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseRule(tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("ParseRule(%q) = %+v, %v; want %+v, error %t", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// exampleRules are rules a component might write, in the kit's glob syntax
// (crio-trace's own, one method each, are server.DefaultSamplingRules).
var exampleRules = []string{
	"runtime.v1.ImageService/PullImage=always",
	"*/List*=never",
	"*/Status=never",
	"*/ExecSync=never",
}

// The sampler in one table: parent-based first, then the rules, then the rate.
func TestSamplerDecisions(t *testing.T) {
	sampled := trace.NewSpanContext(trace.SpanContextConfig{TraceID: [16]byte{1}, SpanID: [8]byte{1}, TraceFlags: trace.FlagsSampled, Remote: true})
	unsampled := trace.NewSpanContext(trace.SpanContextConfig{TraceID: [16]byte{2}, SpanID: [8]byte{2}, Remote: true})
	tests := []struct {
		name   string
		rate   int
		parent trace.SpanContext
		span   string
		want   bool
	}{
		{name: "root polled call is never traced", rate: 1_000_000, span: "runtime.v1.RuntimeService/ListContainers", want: false},
		{name: "root status call is never traced", rate: 1_000_000, span: "runtime.v1.RuntimeService/Status", want: false},
		{name: "root stats call is never traced", rate: 1_000_000, span: "runtime.v1.RuntimeService/ListPodSandboxStats", want: false},
		{name: "root image status of a container start is traced at rate 1e6", rate: 1_000_000, span: "runtime.v1.ImageService/ImageStatus", want: true},
		{name: "root sandbox status of a pod start is traced at rate 1e6", rate: 1_000_000, span: "runtime.v1.RuntimeService/PodSandboxStatus", want: true},
		{name: "root exec probe is never traced", rate: 1_000_000, span: "runtime.v1.RuntimeService/ExecSync", want: false},
		{name: "root pull is always traced at rate 0", rate: 0, span: "runtime.v1.ImageService/PullImage", want: true},
		{name: "root other call follows rate 0", rate: 0, span: "runtime.v1.RuntimeService/RunPodSandbox", want: false},
		{name: "root other call follows rate 1e6", rate: 1_000_000, span: "runtime.v1.RuntimeService/RunPodSandbox", want: true},
		{name: "sampled parent beats a never rule", rate: 0, parent: sampled, span: "runtime.v1.RuntimeService/ListContainers", want: true},
		{name: "sampled parent beats rate 0", rate: 0, parent: sampled, span: "runtime.v1.RuntimeService/RunPodSandbox", want: true},
		{name: "unsampled parent beats an always rule", rate: 1_000_000, parent: unsampled, span: "runtime.v1.ImageService/PullImage", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(NewSampler(exampleRules, tt.rate)), sdktrace.WithSpanProcessor(rec))
			ctx := context.Background()
			if tt.parent.IsValid() {
				ctx = trace.ContextWithRemoteSpanContext(ctx, tt.parent)
			}
			_, span := tp.Tracer("t").Start(ctx, tt.span, trace.WithSpanKind(trace.SpanKindServer))
			span.End()
			if got := len(rec.Ended()) == 1; got != tt.want {
				t.Fatalf("sampled = %t, want %t", got, tt.want)
			}
		})
	}
}
