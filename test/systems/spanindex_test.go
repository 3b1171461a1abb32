package systems_test

import (
	"slices"
	"strings"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// Services as the cluster's programs name themselves: the API server's
// tracing has no service-name setting and says "apiserver"; etcd takes
// --experimental-distributed-tracing-service-name from the kind recipe.
const (
	svcAPIServer = "apiserver"
	svcEtcd      = "etcd"
)

// spanIndex answers the questions the cluster test asks of many spans:
// parents, children, and who links to whom, across traces.
type spanIndex struct {
	spans    []otlpreceiver.Span
	byID     map[spanKey]int
	children map[spanKey][]int
}

// spanKey identifies a span; span ids are unique only within a trace.
type spanKey struct{ trace, span string }

func key(s otlpreceiver.Span) spanKey { return spanKey{s.TraceID, s.SpanID} }

func newSpanIndex(spans []otlpreceiver.Span) *spanIndex {
	x := &spanIndex{spans: spans, byID: map[spanKey]int{}, children: map[spanKey][]int{}}
	for i, s := range spans {
		x.byID[key(s)] = i
	}
	for i, s := range spans {
		if s.ParentSpanID != "" {
			p := spanKey{s.TraceID, s.ParentSpanID}
			x.children[p] = append(x.children[p], i)
		}
	}
	return x
}

// parent returns s's parent when it is among the spans.
func (x *spanIndex) parent(s otlpreceiver.Span) (otlpreceiver.Span, bool) {
	if s.ParentSpanID == "" {
		return otlpreceiver.Span{}, false
	}
	i, ok := x.byID[spanKey{s.TraceID, s.ParentSpanID}]
	if !ok {
		return otlpreceiver.Span{}, false
	}
	return x.spans[i], true
}

// childrenOf returns s's direct children.
func (x *spanIndex) childrenOf(s otlpreceiver.Span) []otlpreceiver.Span {
	var out []otlpreceiver.Span
	for _, i := range x.children[key(s)] {
		out = append(out, x.spans[i])
	}
	return out
}

// descendants returns every span below s in its trace.
func (x *spanIndex) descendants(s otlpreceiver.Span) []otlpreceiver.Span {
	var out []otlpreceiver.Span
	queue := []otlpreceiver.Span{s}
	for len(queue) > 0 {
		c := x.childrenOf(queue[0])
		queue = append(queue[1:], c...)
		out = append(out, c...)
	}
	return out
}

// linked returns the span a link of s points to, when it is among the
// spans.
func (x *spanIndex) linked(s otlpreceiver.Span) []otlpreceiver.Span {
	var out []otlpreceiver.Span
	for _, l := range s.Links {
		if i, ok := x.byID[spanKey{l.TraceID, l.SpanID}]; ok {
			out = append(out, x.spans[i])
		}
	}
	return out
}

// where returns the spans for which keep is true.
func (x *spanIndex) where(keep func(otlpreceiver.Span) bool) []otlpreceiver.Span {
	var out []otlpreceiver.Span
	for _, s := range x.spans {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// traceServices maps each trace id to the sorted services in it.
func (x *spanIndex) traceServices() map[string][]string {
	out := map[string][]string{}
	for _, s := range x.spans {
		if !slices.Contains(out[s.TraceID], s.Service) {
			out[s.TraceID] = append(out[s.TraceID], s.Service)
		}
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// attr returns the first non-empty attribute of keys: the instrumentation
// libraries of the cluster's programs are of different ages and name HTTP
// attributes by different semantic-convention versions.
func attr(s otlpreceiver.Span, keys ...string) string {
	for _, k := range keys {
		if v := s.Attributes[k]; v != "" {
			return v
		}
	}
	return ""
}

// httpTarget is a server span's request path and query.
func httpTarget(s otlpreceiver.Span) string {
	if t := attr(s, "http.target"); t != "" {
		return t
	}
	if p := attr(s, "url.path"); p != "" {
		if q := attr(s, "url.query"); q != "" {
			return p + "?" + q
		}
		return p
	}
	return ""
}

// userAgent is the client's user agent as a server span records it.
func userAgent(s otlpreceiver.Span) string {
	return attr(s, "user_agent.original", "http.user_agent")
}

// httpMethod is the request's method.
func httpMethod(s otlpreceiver.Span) string {
	return attr(s, "http.request.method", "http.method")
}

// isAPIServerRequest: a SERVER span of the API server for an HTTP request.
func isAPIServerRequest(s otlpreceiver.Span) bool {
	return s.Service == svcAPIServer && s.Kind == "SERVER"
}

// isEtcdCall: a CLIENT span of the API server's etcd client.
func isEtcdCall(s otlpreceiver.Span) bool {
	return s.Service == svcAPIServer && s.Kind == "CLIENT" && strings.HasPrefix(s.Name, "etcdserverpb.")
}

// isKubeletHTTP: a CLIENT span of kubelet's HTTP client (its requests to
// the API server), not one of its CRI calls.
func isKubeletHTTP(s otlpreceiver.Span) bool {
	return s.Service == svcKubelet && s.Kind == "CLIENT" && httpMethod(s) != ""
}
