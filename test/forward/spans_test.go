package forward

import (
	"fmt"
	"sort"
	"strings"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// Service names on the spans of each hop.
const (
	svcKubelet    = "kubelet"
	svcCrioTrace  = "crio-trace"
	svcContainerd = "containerd"
	svcCrio       = "crio"
)

// Span kinds as the receiver spells them.
const (
	kindClient = "CLIENT"
	kindServer = "SERVER"
)

// rpcName is the span name of a CRI method, on every hop.
func rpcName(method string) string {
	if imageMethods[method] {
		return "runtime.v1.ImageService/" + method
	}
	return "runtime.v1.RuntimeService/" + method
}

var imageMethods = map[string]bool{"ListImages": true, "ImageStatus": true, "PullImage": true, "RemoveImage": true, "ImageFsInfo": true}

// pick returns the spans of service and kind named name.
func pick(spans []otlpreceiver.Span, service, kind, name string) []otlpreceiver.Span {
	var out []otlpreceiver.Span
	for _, s := range spans {
		if s.Service == service && s.Kind == kind && s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// byID indexes spans by span id.
func byID(spans []otlpreceiver.Span) map[string]otlpreceiver.Span {
	m := make(map[string]otlpreceiver.Span, len(spans))
	for _, s := range spans {
		m[s.SpanID] = s
	}
	return m
}

// hop describes one link of the chain: a span of child service and kind
// whose parent is a span of parent service and kind with the same name.
type hop struct {
	childSvc, childKind, parentSvc, parentKind string
}

// Links of the forward-mode chain, top down.
var (
	kubeletToServer = hop{svcCrioTrace, kindServer, svcKubelet, kindClient}
	serverToClient  = hop{svcCrioTrace, kindClient, svcCrioTrace, kindServer}
)

// clientToRuntime is the last link: the runtime's own SERVER span (service
// svc) under crio-trace's CLIENT span.
func clientToRuntime(svc string) hop { return hop{svc, kindServer, svcCrioTrace, kindClient} }

// kubeletToRuntime is the link with crio-trace's tracing off: the runtime's
// SERVER span directly under kubelet's CLIENT span.
func kubeletToRuntime(svc string) hop { return hop{svc, kindServer, svcKubelet, kindClient} }

// checkHop returns a problem for every span of h's child side in spans whose
// parent is not a span of h's parent side with the same name, and for every
// parent-side span of a method in methods without exactly one such child.
func checkHop(spans []otlpreceiver.Span, h hop, methods []string) []string {
	ids := byID(spans)
	var problems []string
	children := map[string]int{}
	for _, s := range spans {
		if s.Service != h.childSvc || s.Kind != h.childKind {
			continue
		}
		p, ok := ids[s.ParentSpanID]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s %s %s: parent %q not in the trace", h.childSvc, h.childKind, s.Name, s.ParentSpanID))
		case p.Service != h.parentSvc || p.Kind != h.parentKind || p.Name != s.Name:
			problems = append(problems, fmt.Sprintf("%s %s %s: parent is %s %s %s, want %s %s %s",
				h.childSvc, h.childKind, s.Name, p.Service, p.Kind, p.Name, h.parentSvc, h.parentKind, s.Name))
		default:
			children[p.SpanID]++
		}
	}
	for _, m := range methods {
		parents := pick(spans, h.parentSvc, h.parentKind, rpcName(m))
		if len(parents) == 0 {
			problems = append(problems, fmt.Sprintf("no %s %s span %s", h.parentSvc, h.parentKind, rpcName(m)))
		}
		for _, p := range parents {
			if n := children[p.SpanID]; n != 1 {
				problems = append(problems, fmt.Sprintf("%s %s %s has %d %s %s children, want 1",
					h.parentSvc, h.parentKind, p.Name, n, h.childSvc, h.childKind))
			}
		}
	}
	return problems
}

// hasAll reports whether spans hold, for each method, at least one span of
// service and kind.
func hasAll(spans []otlpreceiver.Span, service, kind string, methods []string) bool {
	for _, m := range methods {
		if len(pick(spans, service, kind, rpcName(m))) == 0 {
			return false
		}
	}
	return true
}

// leaks returns where any of secrets occurs in spans: names, attributes,
// resources, status messages, events.
func leaks(spans []otlpreceiver.Span, secrets []string) []string {
	var found []string
	check := func(where, text string) {
		for _, sec := range secrets {
			if strings.Contains(text, sec) {
				found = append(found, fmt.Sprintf("%s holds %q", where, sec))
			}
		}
	}
	for _, s := range spans {
		at := s.Service + " " + s.Kind + " " + s.Name
		check(at+" name", s.Name)
		check(at+" status", s.StatusMessage)
		for k, v := range s.Attributes {
			check(at+" attribute "+k, v)
		}
		for k, v := range s.Resource {
			check(at+" resource "+k, v)
		}
		for _, e := range s.Events {
			check(at+" event "+e.Name, e.Name)
			for k, v := range e.Attributes {
				check(at+" event "+e.Name+" attribute "+k, v)
			}
		}
	}
	return found
}

// describe lists spans one a line, for failure messages.
func describe(spans []otlpreceiver.Span) string {
	lines := make([]string, 0, len(spans))
	for _, s := range spans {
		lines = append(lines, fmt.Sprintf("  %s %s %s %s parent=%s", s.Service, s.Kind, s.Name, s.SpanID, s.ParentSpanID))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
