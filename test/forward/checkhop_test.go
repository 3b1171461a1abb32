package forward

import (
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// TestCheckHop proves the chain checker the end-to-end tests rely on
// catches each way a chain can break.
func TestCheckHop(t *testing.T) {
	name := rpcName("Version")
	kc := otlpreceiver.Span{SpanID: "k1", Service: svcKubelet, Kind: kindClient, Name: name}
	cs := otlpreceiver.Span{SpanID: "s1", ParentSpanID: "k1", Service: svcCrioTrace, Kind: kindServer, Name: name}
	tests := []struct {
		name  string
		spans []otlpreceiver.Span
		want  string // a substring of the one problem expected; empty: none
	}{
		{name: "intact chain", spans: []otlpreceiver.Span{kc, cs}, want: ""},
		{name: "server span missing", spans: []otlpreceiver.Span{kc}, want: "has 0 crio-trace SERVER children"},
		{name: "parent not in the trace", spans: []otlpreceiver.Span{kc, withParent(cs, "zz")}, want: "not in the trace"},
		{name: "parent of another method", spans: []otlpreceiver.Span{kc, withName(withParent(cs, "k1"), rpcName("Status"))}, want: "parent is kubelet CLIENT " + name},
		{name: "two server spans for one call", spans: []otlpreceiver.Span{kc, cs, withID(cs, "s2")}, want: "has 2 crio-trace SERVER children"},
		{name: "no kubelet span at all", spans: nil, want: "no kubelet CLIENT span"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			problems := checkHop(tc.spans, kubeletToServer, []string{"Version"})
			if tc.want == "" {
				if len(problems) > 0 {
					t.Errorf("problems = %q, want none", problems)
				}
				return
			}
			if len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), tc.want) {
				t.Errorf("problems = %q, want one containing %q", problems, tc.want)
			}
		})
	}
}

func withParent(s otlpreceiver.Span, parent string) otlpreceiver.Span {
	s.ParentSpanID = parent
	return s
}
func withName(s otlpreceiver.Span, name string) otlpreceiver.Span { s.Name = name; return s }
func withID(s otlpreceiver.Span, id string) otlpreceiver.Span     { s.SpanID = id; return s }

// TestLeaks proves the secret scan looks at every place a span can carry
// text.
func TestLeaks(t *testing.T) {
	const secret = "s3cr3t"
	tests := []struct {
		name string
		span otlpreceiver.Span
		want int
	}{
		{name: "clean span", span: otlpreceiver.Span{Name: "x", Attributes: map[string]string{"k": "v"}}, want: 0},
		{name: "attribute", span: otlpreceiver.Span{Attributes: map[string]string{"k": "a " + secret}}, want: 1},
		{name: "resource", span: otlpreceiver.Span{Resource: map[string]string{"k": secret}}, want: 1},
		{name: "status message", span: otlpreceiver.Span{StatusMessage: secret}, want: 1},
		{name: "event attribute", span: otlpreceiver.Span{Events: []otlpreceiver.Event{{Name: "e", Attributes: map[string]string{"k": secret}}}}, want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := leaks([]otlpreceiver.Span{tc.span}, []string{secret}); len(got) != tc.want {
				t.Errorf("leaks = %q, want %d", got, tc.want)
			}
		})
	}
}
