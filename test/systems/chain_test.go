package systems_test

import (
	"fmt"
	"testing"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// checkChain asserts, for one CRI call: kubelet's syncPod → kubelet CLIENT
// → crio-trace SERVER → crio-trace CLIENT → containerd SERVER, each the
// parent of the next, services as named.
func checkChain(t *testing.T, spans []otlpreceiver.Span, call string) {
	t.Helper()
	for _, err := range chainErrors(spans, call) {
		t.Error(err)
	}
}

// chainErrors lists every way the chain of call is broken in spans.
func chainErrors(spans []otlpreceiver.Span, call string) []error {
	var errs []error
	byID := map[string]otlpreceiver.Span{}
	for _, sp := range spans {
		byID[sp.SpanID] = sp
	}
	children := func(parent otlpreceiver.Span, service, kind string) []otlpreceiver.Span {
		var out []otlpreceiver.Span
		for _, sp := range spans {
			if sp.ParentSpanID == parent.SpanID && sp.Service == service && sp.Kind == kind && sp.Name == call {
				out = append(out, sp)
			}
		}
		return out
	}
	var kubeletClients []otlpreceiver.Span
	for _, sp := range spans {
		if sp.Service == svcKubelet && sp.Kind == "CLIENT" && sp.Name == call {
			kubeletClients = append(kubeletClients, sp)
		}
	}
	if len(kubeletClients) == 0 {
		return []error{fmt.Errorf("no kubelet CLIENT span %q in the trace", call)}
	}
	for _, kc := range kubeletClients {
		// Up: the client span sits under syncPod.
		root := kc
		for root.ParentSpanID != "" {
			p, ok := byID[root.ParentSpanID]
			if !ok {
				errs = append(errs, fmt.Errorf("kubelet CLIENT %s: parent %s not in the trace", call, root.ParentSpanID))
				break
			}
			root = p
		}
		if root.Service != svcKubelet || root.Name != "syncPod" {
			errs = append(errs, fmt.Errorf("kubelet CLIENT %s: trace root is %s/%q, want kubelet/syncPod", call, root.Service, root.Name))
		}
		// Down: crio-trace SERVER → crio-trace CLIENT → containerd SERVER.
		srv := children(kc, svcCrioTrace, "SERVER")
		if len(srv) != 1 {
			errs = append(errs, fmt.Errorf("kubelet CLIENT %s has %d crio-trace SERVER children, want 1", call, len(srv)))
			continue
		}
		var fwd []otlpreceiver.Span
		for _, sp := range spans { // the forward CLIENT may sit under an inner span
			if sp.Service == svcCrioTrace && sp.Kind == "CLIENT" && sp.Name == call && descends(byID, sp, srv[0].SpanID) {
				fwd = append(fwd, sp)
			}
		}
		if len(fwd) != 1 {
			errs = append(errs, fmt.Errorf("crio-trace SERVER %s has %d crio-trace CLIENT descendants, want 1", call, len(fwd)))
			continue
		}
		if ctd := children(fwd[0], svcContainerd, "SERVER"); len(ctd) != 1 {
			errs = append(errs, fmt.Errorf("crio-trace CLIENT %s has %d containerd SERVER children, want 1", call, len(ctd)))
		}
	}
	return errs
}

// descends reports whether sp has ancestor among its parents.
func descends(byID map[string]otlpreceiver.Span, sp otlpreceiver.Span, ancestor string) bool {
	for sp.ParentSpanID != "" {
		if sp.ParentSpanID == ancestor {
			return true
		}
		p, ok := byID[sp.ParentSpanID]
		if !ok {
			return false
		}
		sp = p
	}
	return false
}
