package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

const (
	traceA    = "0123456789abcdef0123456789abcdef"
	methodRun = "runtime.v1.RuntimeService/RunPodSandbox"
)

// sampleTrace is syncPod → kubelet CLIENT RunPodSandbox → crio-trace SERVER
// RunPodSandbox → its two inner steps; drop leaves out the span with that id.
func sampleTrace(drop string) []otlpreceiver.Span {
	t0 := time.Unix(1000, 0)
	all := []otlpreceiver.Span{
		{TraceID: traceA, SpanID: "01", Name: spanSyncPod, Kind: kindInternal, Service: kubeletService, Start: t0, End: t0.Add(100 * time.Millisecond)},
		{TraceID: traceA, SpanID: "02", ParentSpanID: "01", Name: methodRun, Kind: kindClient, Service: kubeletService, Start: t0, End: t0.Add(80 * time.Millisecond)},
		{TraceID: traceA, SpanID: "03", ParentSpanID: "02", Name: methodRun, Kind: kindServer, Service: crioService, Start: t0, End: t0.Add(70 * time.Millisecond)},
		{TraceID: traceA, SpanID: "04", ParentSpanID: "03", Name: "crio.sandbox.network", Kind: kindInternal, Service: crioService, Start: t0, End: t0.Add(10 * time.Millisecond)},
		{TraceID: traceA, SpanID: "05", ParentSpanID: "03", Name: "crio.sandbox.infra", Kind: kindInternal, Service: crioService, Start: t0, End: t0.Add(50 * time.Millisecond)},
	}
	var out []otlpreceiver.Span
	for _, s := range all {
		if s.SpanID != drop {
			out = append(out, s)
		}
	}
	return out
}

func TestMissing(t *testing.T) {
	calls := []call{{trace: traceA, method: methodRun, object: "default/web", took: 80 * time.Millisecond}}
	roots := map[string]string{traceA: spanSyncPod}
	on := options{scenario: scenarios[0]}
	off := options{scenario: scenarios[3]}
	tests := []struct {
		name  string
		o     options
		spans []otlpreceiver.Span
		want  []string // substrings of the missing lines; none = nothing missing
	}{
		{name: "complete trace", o: on, spans: sampleTrace("")},
		{name: "no root", o: on, spans: sampleTrace("01"), want: []string{
			`1 × kubelet INTERNAL span "syncPod" as the root in trace ` + traceA + " (got 0)",
			`kubelet CLIENT span "runtime.v1.RuntimeService/RunPodSandbox" under kubelet's "syncPod"`,
		}},
		{name: "no server span", o: on, spans: sampleTrace("03"), want: []string{
			`crio-trace SERVER span "runtime.v1.RuntimeService/RunPodSandbox" under kubelet's`,
			`crio-trace INTERNAL span "crio.sandbox.network"`,
			`crio-trace INTERNAL span "crio.sandbox.infra"`,
		}},
		{name: "no inner step", o: on, spans: sampleTrace("05"), want: []string{`"crio.sandbox.infra"`}},
		{name: "tracing off needs kubelet only", o: off, spans: sampleTrace("03")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := missing(tc.spans, expectations(tc.o, roots, calls))
			if len(got) != len(tc.want) {
				t.Fatalf("missing = %q, want %d line(s) containing %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("missing[%d] = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestUnexpected(t *testing.T) {
	tests := []struct {
		name string
		o    options
		want int
	}{
		{name: "tracing on allows crio-trace spans", o: options{scenario: scenarios[0]}, want: 0},
		{name: "tracing off forbids them", o: options{scenario: scenarios[3]}, want: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := unexpected(tc.o, sampleTrace("")); len(got) != tc.want {
				t.Errorf("unexpected = %q, want %d", got, tc.want)
			}
		})
	}
}

func TestUnexpectedFailures(t *testing.T) {
	failed := status.Error(codes.FailedPrecondition, "exited at start")
	tests := []struct {
		name  string
		o     options
		calls []call
		want  int
	}{
		{name: "sidecar failure is the failing scenario's point",
			o:     options{scenario: scenarios[2]},
			calls: []call{{method: "runtime.v1.RuntimeService/StartContainer", object: sidecarContainer, err: failed}}, want: 0},
		{name: "same failure elsewhere is unexpected",
			o:     options{scenario: scenarios[0]},
			calls: []call{{method: "runtime.v1.RuntimeService/StartContainer", object: sidecarContainer, err: failed}}, want: 1},
		{name: "app failure is unexpected even in the failing scenario",
			o:     options{scenario: scenarios[2]},
			calls: []call{{method: "runtime.v1.RuntimeService/StartContainer", object: appContainer, err: failed}}, want: 1},
		{name: "other codes are unexpected",
			o:     options{scenario: scenarios[2]},
			calls: []call{{method: "runtime.v1.RuntimeService/StartContainer", object: sidecarContainer, err: errors.New("boom")}}, want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := unexpectedFailures(tc.o, tc.calls); len(got) != tc.want {
				t.Errorf("unexpectedFailures = %q, want %d", got, tc.want)
			}
		})
	}
}

func TestSlowestLine(t *testing.T) {
	calls := []call{{trace: traceA, method: methodRun, object: "default/web", took: 80 * time.Millisecond}}
	tests := []struct {
		name    string
		spans   []otlpreceiver.Span
		tracing bool
		want    string
	}{
		{name: "names the call, its share and the step inside", spans: sampleTrace(""), tracing: true,
			want: "slowest step: RunPodSandbox default/web 80.0ms (80% of syncPod), of which crio.sandbox.infra 50.0ms inside crio-trace"},
		{name: "without crio-trace spans says so", spans: sampleTrace("03"), tracing: false,
			want: "slowest step: RunPodSandbox default/web 80.0ms (80% of syncPod); what happened inside the runtime is unknown"},
		{name: "without inner steps names the server span", spans: sampleTrace("04")[:3], tracing: true,
			want: "80.0ms (80% of syncPod), of which 70.0ms inside crio-trace (the rest is the socket and gRPC)"},
		{name: "no root, no line", spans: sampleTrace("01"), tracing: true, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := slowestLine(tc.spans, spanSyncPod, calls, tc.tracing)
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("slowestLine = %q, want %q", got, tc.want)
			}
		})
	}
}
