package systems_test

import (
	"testing"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// TestClassifyClients sorts hand-made API server spans the way the cluster
// test sorts real ones: continued, under the API server's own span, parent
// not exported, linked, linked to a span not exported, alone.
func TestClassifyClients(t *testing.T) {
	ua := func(agent string) map[string]string {
		return map[string]string{"user_agent.original": agent + "/v1.34.4 (linux/amd64)"}
	}
	spans := []otlpreceiver.Span{
		// kubelet's CLIENT span and the API server's new, linked trace.
		{TraceID: "k1", SpanID: "kc", Service: svcKubelet, Kind: "CLIENT", Attributes: map[string]string{"http.method": "GET"}},
		{TraceID: "a1", SpanID: "as1", Service: svcAPIServer, Kind: "SERVER", Attributes: ua("kubelet"), Links: []otlpreceiver.Link{{TraceID: "k1", SpanID: "kc"}}},
		// A link to a span that never arrived.
		{TraceID: "a2", SpanID: "as2", Service: svcAPIServer, Kind: "SERVER", Attributes: ua("kubelet"), Links: []otlpreceiver.Link{{TraceID: "k9", SpanID: "gone"}}},
		// The loopback client continued.
		{TraceID: "l1", SpanID: "lc", Service: svcAPIServer, Kind: "CLIENT", Name: "HTTP GET"},
		{TraceID: "l1", SpanID: "ls", ParentSpanID: "lc", Service: svcAPIServer, Kind: "SERVER", Attributes: ua("kube-apiserver")},
		// kubectl under the API server's authentication span.
		{TraceID: "c1", SpanID: "auth", Service: svcAPIServer, Kind: "INTERNAL", Name: "authentication"},
		{TraceID: "c1", SpanID: "cs", ParentSpanID: "auth", Service: svcAPIServer, Kind: "SERVER", Attributes: ua("kubectl")},
		// A continued trace whose parent was not exported.
		{TraceID: "p1", SpanID: "ps", ParentSpanID: "remote", Service: svcAPIServer, Kind: "SERVER", Attributes: ua("kubectl")},
		// The scheduler sends nothing.
		{TraceID: "s1", SpanID: "ss", Service: svcAPIServer, Kind: "SERVER", Attributes: ua("kube-scheduler")},
	}
	got := classifyClients(newSpanIndex(spans))
	want := map[string]clientLinks{
		"kubelet":        {spans: 2, linked: 1, linkedAway: 1},
		"kube-apiserver": {spans: 1, parent: 1},
		"kubectl":        {spans: 2, own: 1, missing: 1},
		"kube-scheduler": {spans: 1, alone: 1},
	}
	if len(got) != len(want) {
		t.Errorf("clients %v, want %v", got, want)
	}
	for client, w := range want {
		if g := got[client]; g == nil || *g != w {
			t.Errorf("%s: %+v, want %+v", client, g, w)
		}
	}
}
