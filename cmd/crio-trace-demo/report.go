package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	grpccodes "google.golang.org/grpc/codes"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/tracing"
	"github.com/crio-trace/crio-trace/internal/waterfall"
)

// shownTrace is a trace the demo prints: its id, its root span's name and
// a title saying what it shows.
type shownTrace struct {
	id, root, title string
}

// printTrace writes one trace: a header saying what it is, the waterfall,
// and a footer saying where the time went and what failed.
func printTrace(w io.Writer, o options, color bool, n, of int, t shownTrace, spans []otlpreceiver.Span, calls []call) error {
	fmt.Fprintf(w, "\n━━ Trace %d of %d · %s ━━\n", n, of, t.title)
	if err := waterfall.Text(w, spans, waterfall.Options{Color: color, Width: o.width}); err != nil {
		return fmt.Errorf("printing trace %s: %w", t.id, err)
	}
	if line := slowestLine(spans, t.root, calls, o.scenario.tracing); line != "" {
		fmt.Fprintln(w, line)
	}
	for _, line := range errorLines(spans) {
		fmt.Fprintln(w, line)
	}
	if !o.scenario.tracing {
		fmt.Fprintln(w, "  only kubelet's spans: crio-trace runs with tracing disabled and sent none.")
	}
	return nil
}

// slowestLine names the kubelet call that took longest in the trace rooted
// at a kubelet span called root, its share of the root, and the crio-trace
// step inside it that took longest.
func slowestLine(spans []otlpreceiver.Span, root string, calls []call, tracingOn bool) string {
	r, ok := findRoot(spans, root)
	if !ok {
		return ""
	}
	var top otlpreceiver.Span
	for _, c := range otlpreceiver.Children(spans, r) {
		if c.Service == kubeletService && c.Duration() > top.Duration() {
			top = c
		}
	}
	if top.Name == "" {
		return ""
	}
	label := shortMethod(top.Name)
	if obj := objectOf(spans, top, calls); obj != "" {
		label += " " + obj
	}
	line := fmt.Sprintf("  slowest step: %s %s (%.0f%% of %s)", label, waterfall.FormatDuration(top.Duration()),
		100*float64(top.Duration())/float64(max(r.Duration(), time.Nanosecond)), root)
	if inner, ok := slowestInner(spans, top); ok && inner.Kind == kindClient {
		line += fmt.Sprintf(", of which %s waiting for the runtime behind crio-trace", waterfall.FormatDuration(inner.Duration()))
	} else if ok {
		line += fmt.Sprintf(", of which %s %s inside crio-trace", inner.Name, waterfall.FormatDuration(inner.Duration()))
	} else if srv, ok := serverChild(spans, top); ok {
		line += fmt.Sprintf(", of which %s inside crio-trace (the rest is the socket and gRPC)", waterfall.FormatDuration(srv.Duration()))
	} else if !tracingOn {
		line += "; what happened inside the runtime is unknown: crio-trace sent no spans"
	}
	return line
}

// serverChild returns crio-trace's SERVER span under kubelet's CLIENT span s.
func serverChild(spans []otlpreceiver.Span, s otlpreceiver.Span) (otlpreceiver.Span, bool) {
	for _, c := range otlpreceiver.Children(spans, s) {
		if c.Service == crioService && c.Kind == kindServer {
			return c, true
		}
	}
	return otlpreceiver.Span{}, false
}

// findRoot returns kubelet's root span called name.
func findRoot(spans []otlpreceiver.Span, name string) (otlpreceiver.Span, bool) {
	for _, s := range spans {
		if s.Name == name && s.Service == kubeletService && s.ParentSpanID == "" {
			return s, true
		}
	}
	return otlpreceiver.Span{}, false
}

// objectOf returns what kubelet's CLIENT span s acted on. crio-trace's
// SERVER span under it says so in its attributes (image, container, pod);
// without one (tracing off) it is the object of the recorded call of the
// same trace and method whose duration is closest, which can pick the wrong
// one of two calls made in parallel.
func objectOf(spans []otlpreceiver.Span, s otlpreceiver.Span, calls []call) string {
	if srv, ok := serverChild(spans, s); ok {
		a := srv.Attributes
		switch {
		case strings.HasPrefix(shortMethod(s.Name), "Image") || shortMethod(s.Name) == "PullImage":
			if v := a["container.image.name"]; v != "" {
				return v
			}
		case a["k8s.container.name"] != "":
			return a["k8s.container.name"]
		case a["k8s.pod.name"] != "":
			return a["k8s.namespace.name"] + "/" + a["k8s.pod.name"]
		}
	}
	best, bestDiff := "", time.Duration(-1)
	for _, c := range calls {
		if c.trace != s.TraceID || c.method != s.Name {
			continue
		}
		diff := c.took - s.Duration()
		if diff < 0 {
			diff = -diff
		}
		if bestDiff < 0 || diff < bestDiff {
			best, bestDiff = c.object, diff
		}
	}
	return best
}

// slowestInner returns the longest crio-trace INTERNAL span below s: a step
// of the embedded runtime, or in forward mode the CLIENT span of the call
// crio-trace made to the runtime behind it.
func slowestInner(spans []otlpreceiver.Span, s otlpreceiver.Span) (otlpreceiver.Span, bool) {
	var best otlpreceiver.Span
	found := false
	queue := otlpreceiver.Children(spans, s)
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c.Service == crioService && (c.Kind == kindInternal || c.Kind == kindClient) && (!found || c.Duration() > best.Duration()) {
			best, found = c, true
		}
		queue = append(queue, otlpreceiver.Children(spans, c)...)
	}
	return best, found
}

// errorLines lists the failures of a trace from the outside in: spans with
// status ERROR and crio-trace server spans that recorded a gRPC error code,
// parents before children. Only the innermost one, the cause, carries its
// message; the others repeat it.
func errorLines(spans []otlpreceiver.Span) []string {
	byID := make(map[string]otlpreceiver.Span, len(spans))
	for _, s := range spans {
		byID[s.SpanID] = s
	}
	depth := func(s otlpreceiver.Span) int {
		d := 0
		for p, ok := byID[s.ParentSpanID]; ok && d < len(spans); p, ok = byID[p.ParentSpanID] {
			d++
		}
		return d
	}
	var failed []otlpreceiver.Span
	for _, s := range spans {
		if code := s.Attributes[string(tracing.AttrGRPCStatusCode)]; s.IsError() || (code != "" && code != "0") {
			failed = append(failed, s)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	slices.SortStableFunc(failed, func(a, b otlpreceiver.Span) int { return depth(a) - depth(b) })
	out := []string{"  where it failed, from kubelet down to the runtime's own step:"}
	for i, s := range failed {
		line := fmt.Sprintf("    ✗ %-10s %-8s %s", s.Service, s.Kind, s.Name)
		if code, err := strconv.ParseUint(s.Attributes[string(tracing.AttrGRPCStatusCode)], 10, 32); err == nil && code != 0 {
			line += fmt.Sprintf("  rpc.grpc.status_code=%d (%s)", code, grpccodes.Code(code))
		}
		if s.IsError() {
			line += "  status ERROR"
		}
		if i == len(failed)-1 {
			if msg := spanError(s); msg != "" {
				line += "\n        " + msg
			}
		}
		out = append(out, line)
	}
	return out
}

// spanError is a failed span's message: its status message, else that of
// its first exception event.
func spanError(s otlpreceiver.Span) string {
	if s.StatusMessage != "" {
		return s.StatusMessage
	}
	for _, e := range s.Events {
		if e.Name == "exception" {
			return e.Attributes["exception.message"]
		}
	}
	return ""
}

// printHowToRead explains the waterfalls once, after the last one.
func printHowToRead(w io.Writer, tracingOn, forwarding bool) {
	fmt.Fprint(w, `
How to read a waterfall
  One line per span: the service that made it, what it timed (children are indented under their
  parent), when it started after the trace began, how long it took, and a bar placing it on the
  trace's time line. A ✗ marks a failed span; its error is printed under it.
  kubelet     syncPod / syncTerminatingPod (the roots) and one CLIENT span per CRI call:
              what kubelet waited for.
`)
	if tracingOn {
		fmt.Fprint(w, `  crio-trace  a SERVER span inside each kubelet call, with the same name: the runtime joined
              kubelet's trace through the W3C traceparent kubelet's client sends in gRPC
              metadata. Below it, crio.* spans time the runtime's own steps (crio.image.pull,
              crio.sandbox.network, crio.container.start, ...). The gap between a CLIENT span
              and its SERVER span is the socket and gRPC; time inside the SERVER span but
              outside its crio.* steps is the runtime's own bookkeeping.
`)
		if forwarding {
			fmt.Fprint(w, `              Forwarding to a real runtime, crio-trace's own CLIENT span under each SERVER
              span is the call it made onward: the time spent in the runtime behind it.
`)
		}
		return
	}
	fmt.Fprint(w, `  crio-trace  nothing: it ran with tracing disabled (enable_tracing = false), so it installed
              no instrumentation and sent no spans. Each kubelet call is a closed box: you see
              how long it took, not where the time went inside the runtime. Run
              --scenario pod-start to compare.
`)
}

// shortMethod returns the method name of a full gRPC method
// ("runtime.v1.ImageService/PullImage" -> "PullImage").
func shortMethod(full string) string {
	if i := strings.LastIndexByte(full, '/'); i >= 0 {
		return full[i+1:]
	}
	return full
}
