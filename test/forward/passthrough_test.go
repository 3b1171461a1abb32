package forward

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// Values the caller sends with tracing off; the trace headers must reach
// the runtime unchanged, the other header not at all.
const (
	plantedTraceState = "planted=ts1"
	plantedBaggage    = "tenant=blue"
	plantedHeader     = "x-planted-credential"
)

// TestTracingOffPassThrough runs the daemon with tracing disabled in front
// of a recording CRI server and in front of each real runtime with the
// runtime's own tracing on. The recording server proves, through the real
// binary, that kubelet's traceparent, tracestate and baggage arrive as
// kubelet sent them and that other metadata does not; the runtimes prove
// RPCs still work and that their SERVER spans are children of kubelet's
// CLIENT spans, as if crio-trace were not there. In every case the daemon
// exports no span.
func TestTracingOffPassThrough(t *testing.T) {
	type check func(t *testing.T, recv *otlpreceiver.Receiver, sc trace.SpanContext, clientSpan string)
	type passCase struct {
		name string
		// listWorks says whether the runtime implements ListContainers.
		listWorks bool
		// runtime starts the runtime, exporting its own spans (if it has
		// any) to collector, and returns its endpoint and a check of what
		// it received for the call made in trace sc.
		runtime func(t *testing.T, collector string) (string, check)
	}
	tests := []passCase{
		{name: "recording CRI server", runtime: func(t *testing.T, _ string) (string, check) {
			rec, ep := startRecordingCRI(t)
			return ep, func(t *testing.T, _ *otlpreceiver.Receiver, sc trace.SpanContext, clientSpan string) {
				checkPassedThrough(t, rec.calls(), sc, clientSpan)
			}
		}},
	}
	for _, rc := range runtimes {
		tests = append(tests, passCase{name: rc.name + " with its own tracing on", listWorks: true, runtime: func(t *testing.T, collector string) (string, check) {
			env := rc.startTraced(t, collector)
			return env.Runtime.Endpoint(), func(t *testing.T, recv *otlpreceiver.Receiver, sc trace.SpanContext, clientSpan string) {
				checkRuntimeParent(t, recv, rc.svc, sc, clientSpan)
			}
		}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recv := startReceiver(t)
			endpoint, check := tc.runtime(t, recv.Addr())
			// Tracing off, but an endpoint that would receive anything sent.
			d := startDaemon(t, "--runtime-endpoint", endpoint, "--tracing-endpoint", recv.Addr())
			k := newKubelet(t, d.endpoint(), recv.Addr())

			// A remote parent with a tracestate, so that kubelet sends one.
			ts, err := trace.ParseTraceState(plantedTraceState)
			if err != nil {
				t.Fatal(err)
			}
			parent := trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: trace.TraceID{0x0f, 0x0e, 1}, SpanID: trace.SpanID{0x0c, 1},
				TraceFlags: trace.FlagsSampled, TraceState: ts, Remote: true,
			})
			member, err := baggage.Parse(plantedBaggage)
			if err != nil {
				t.Fatal(err)
			}
			ctx := trace.ContextWithRemoteSpanContext(k.ctx, parent)
			ctx = baggage.ContextWithBaggage(ctx, member)
			ctx = metadata.AppendToOutgoingContext(ctx, plantedHeader, "secret")
			ctx, root := k.tp.Tracer("k8s.io/kubernetes/pkg/kubelet").Start(ctx, "syncPod")
			v, err := k.rt.Version(ctx, "v1")
			root.End()
			if err != nil {
				t.Fatalf("Version through crio-trace: %v", err)
			}
			if v.GetRuntimeName() == "" || v.GetRuntimeName() == svcCrioTrace {
				t.Errorf("Version runtime name = %q, want the runtime's own", v.GetRuntimeName())
			}
			if _, err := k.rt.ListContainers(ctx, nil); tc.listWorks && err != nil {
				t.Errorf("ListContainers through crio-trace: %v", err)
			} else if !tc.listWorks && status.Code(err) != codes.Unimplemented {
				t.Errorf("ListContainers error = %v, want the runtime's Unimplemented passed through", err)
			}
			k.flush(t)

			spans := recv.Spans()
			client := pick(otlpreceiver.Trace(spans, parent.TraceID().String()), svcKubelet, kindClient, rpcName("Version"))
			if len(client) != 1 {
				t.Fatalf("kubelet exported %d CLIENT spans for Version in the trace, want 1:\n%s", len(client), describe(spans))
			}
			for _, s := range spans {
				if s.Service == svcCrioTrace {
					t.Errorf("tracing is off, yet crio-trace exported span %s %s", s.Kind, s.Name)
				}
			}
			if log := d.log(t); !strings.Contains(log, "tracing=off") {
				t.Errorf("the daemon's start line does not say tracing=off:\n%s", d.tail(10))
			}
			check(t, recv, root.SpanContext(), client[0].SpanID)
		})
	}
}

// checkRuntimeParent waits for the runtime's own SERVER span of the
// Version call made in sc's trace and checks that its parent is kubelet's
// CLIENT span: with tracing off, crio-trace hands kubelet's traceparent on
// unchanged and adds no span of its own.
func checkRuntimeParent(t *testing.T, recv *otlpreceiver.Receiver, svc string, sc trace.SpanContext, clientSpan string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), runtimeSpansWait)
	defer cancel()
	spans, err := recv.WaitFor(ctx, func(s []otlpreceiver.Span) bool {
		return len(pick(otlpreceiver.Trace(s, sc.TraceID().String()), svc, kindServer, rpcName("Version"))) > 0
	})
	tr := otlpreceiver.Trace(spans, sc.TraceID().String())
	if err != nil {
		t.Fatalf("no %s SERVER span for Version in trace %s: %v\ntrace:\n%s", svc, sc.TraceID(), err, describe(tr))
	}
	for _, p := range checkHop(tr, kubeletToRuntime(svc), []string{"Version"}) {
		t.Error(p)
	}
	if t.Failed() {
		t.Logf("trace:\n%s", describe(tr))
	}
}

// checkPassedThrough finds the call made in sc's trace among calls and
// checks its trace headers against what kubelet's CLIENT span sent.
func checkPassedThrough(t *testing.T, calls []metadata.MD, sc trace.SpanContext, clientSpan string) {
	t.Helper()
	wantTP := fmt.Sprintf("00-%s-%s-01", sc.TraceID(), clientSpan)
	var got metadata.MD
	for _, md := range calls {
		for _, tp := range md.Get("traceparent") {
			if strings.Contains(tp, sc.TraceID().String()) {
				got = md
			}
		}
	}
	if got == nil {
		t.Fatalf("the runtime received no call in trace %s; calls: %v", sc.TraceID(), calls)
	}
	tests := []struct {
		name string
		key  string
		want []string
	}{
		{name: "traceparent is kubelet's client span", key: "traceparent", want: []string{wantTP}},
		{name: "tracestate unchanged", key: "tracestate", want: []string{plantedTraceState}},
		{name: "baggage unchanged", key: "baggage", want: []string{plantedBaggage}},
		{name: "other caller metadata not forwarded", key: plantedHeader, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if g := got.Get(tc.key); strings.Join(g, ",") != strings.Join(tc.want, ",") {
				t.Errorf("%s = %q, want %q", tc.key, g, tc.want)
			}
		})
	}
}
