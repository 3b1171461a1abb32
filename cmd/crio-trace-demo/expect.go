package main

import (
	"fmt"
	"strconv"

	grpccodes "google.golang.org/grpc/codes"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/runtime/embedded"
	"github.com/crio-trace/crio-trace/internal/tracing"
)

// crioService is crio-trace's default service.name.
const crioService = "crio-trace"

// Span kinds as otlpreceiver spells them.
const (
	kindInternal = "INTERNAL"
	kindClient   = "CLIENT"
	kindServer   = "SERVER"
)

// want is a kind of span the scenario must produce, count times, in one
// trace.
type want struct {
	trace         string
	service, kind string
	name          string
	count         int
	// root requires the span to have no parent.
	root bool
	// parentService and parentName, when set, require the parent span to be
	// of that service and name.
	parentService, parentName string
	// isError requires status ERROR.
	isError bool
	// attr and value, when attr is set, require that attribute value.
	attr, value string
}

// String describes w for a "missing" message.
func (w want) String() string {
	s := fmt.Sprintf("%d × %s %s span %q", w.count, w.service, w.kind, w.name)
	switch {
	case w.root:
		s += " as the root"
	case w.parentName != "":
		s += fmt.Sprintf(" under %s's %q", w.parentService, w.parentName)
	}
	if w.isError {
		s += " with status ERROR"
	}
	if w.attr != "" {
		s += fmt.Sprintf(" with %s=%s", w.attr, w.value)
	}
	return s + " in trace " + w.trace
}

// matches counts the spans w describes.
func (w want) matches(spans []otlpreceiver.Span, byID map[string]otlpreceiver.Span) int {
	n := 0
	for _, s := range spans {
		if s.TraceID != w.trace || s.Service != w.service || s.Kind != w.kind || s.Name != w.name {
			continue
		}
		if w.root && s.ParentSpanID != "" {
			continue
		}
		if w.parentName != "" {
			p, ok := byID[s.TraceID+"/"+s.ParentSpanID]
			if !ok || p.Service != w.parentService || p.Name != w.parentName {
				continue
			}
		}
		if w.isError && !s.IsError() {
			continue
		}
		if w.attr != "" && s.Attributes[w.attr] != w.value {
			continue
		}
		n++
	}
	return n
}

// missing returns a line for every want not met by spans, with how many
// were found.
func missing(spans []otlpreceiver.Span, wants []want) []string {
	byID := make(map[string]otlpreceiver.Span, len(spans))
	for _, s := range spans {
		byID[s.TraceID+"/"+s.SpanID] = s
	}
	var out []string
	for _, w := range wants {
		if got := w.matches(spans, byID); got < w.count {
			out = append(out, fmt.Sprintf("%s (got %d)", w, got))
		}
	}
	return out
}

// innerSpans are the embedded runtime's steps under each RPC.
var innerSpans = map[string][]string{
	"RunPodSandbox":  {embedded.SpanSandboxNetwork, embedded.SpanSandboxInfra},
	"PullImage":      {embedded.SpanImagePull},
	"StartContainer": {embedded.SpanContainerStart},
	"StopContainer":  {embedded.SpanContainerStop},
}

// expectations lists the spans a run must have produced: kubelet's roots,
// a CLIENT span per call kubelet made and, with tracing on, crio-trace's
// SERVER span under each, plus the embedded runtime's inner steps and, in
// the failing-container scenario, the error on the right spans.
func expectations(o options, roots map[string]string, calls []call) []want {
	var wants []want
	for traceID, name := range roots {
		wants = append(wants, want{trace: traceID, service: kubeletService, kind: kindInternal, name: name, count: 1, root: true})
	}
	type group struct{ trace, method string }
	counts := map[group]int{}
	var order []group
	for _, c := range calls {
		g := group{c.trace, c.method}
		if counts[g] == 0 {
			order = append(order, g)
		}
		counts[g]++
	}
	embeddedRuntime := o.runtimeEndpoint == ""
	for _, g := range order {
		n := counts[g]
		wants = append(wants, want{trace: g.trace, service: kubeletService, kind: kindClient, name: g.method, count: n,
			parentService: kubeletService, parentName: roots[g.trace]})
		if !o.scenario.tracing {
			continue
		}
		wants = append(wants, want{trace: g.trace, service: crioService, kind: kindServer, name: g.method, count: n,
			parentService: kubeletService, parentName: g.method})
		if !embeddedRuntime {
			continue
		}
		for _, inner := range innerSpans[shortMethod(g.method)] {
			wants = append(wants, want{trace: g.trace, service: crioService, kind: kindInternal, name: inner, count: n,
				parentService: crioService, parentName: g.method})
		}
	}
	if o.scenario.failSidecar && o.scenario.tracing && embeddedRuntime {
		for _, c := range calls {
			if shortMethod(c.method) != "StartContainer" || c.object != sidecarContainer {
				continue
			}
			wants = append(wants,
				want{trace: c.trace, service: crioService, kind: kindServer, name: c.method, count: 1,
					attr: string(tracing.AttrGRPCStatusCode), value: strconv.Itoa(int(grpccodes.FailedPrecondition))},
				want{trace: c.trace, service: crioService, kind: kindInternal, name: embedded.SpanContainerStart, count: 1,
					parentService: crioService, parentName: c.method, isError: true})
		}
	}
	return wants
}

// unexpected returns a line for each span that must not exist: with tracing
// off, any span of crio-trace.
func unexpected(o options, spans []otlpreceiver.Span) []string {
	if o.scenario.tracing {
		return nil
	}
	var out []string
	for _, s := range spans {
		if s.Service == crioService {
			out = append(out, fmt.Sprintf("%s %s span %q in trace %s", s.Service, s.Kind, s.Name, s.TraceID))
		}
	}
	return out
}
