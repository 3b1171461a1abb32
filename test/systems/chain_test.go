package systems_test

import (
	"fmt"
	"testing"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// chain is the path a CRI call takes below kubelet.
type chain struct {
	// front says crio-trace sits between kubelet and the runtime.
	front bool
	// runtime is the runtime's service.name: "containerd" or "crio".
	runtime string
}

// throughCrioTrace is kubelet → crio-trace → containerd, the systems
// tests' usual chain.
var throughCrioTrace = chain{front: true, runtime: svcContainerd}

// String names the chain's services.
func (c chain) String() string {
	if c.front {
		return svcKubelet + " → " + svcCrioTrace + " → " + c.runtime
	}
	return svcKubelet + " → " + c.runtime
}

// annotator is the service whose SERVER spans carry the CRI attributes:
// crio-trace when in front, else the runtime (crio-kit, with the kit).
func (c chain) annotator() string {
	if c.front {
		return svcCrioTrace
	}
	return c.runtime
}

// checkChain asserts, for one CRI call: kubelet's syncPod → kubelet CLIENT
// → crio-trace SERVER → crio-trace CLIENT → runtime SERVER (or, without
// crio-trace in front, kubelet CLIENT → runtime SERVER), each the parent of
// the next, services as named, one span of each.
func checkChain(t *testing.T, spans []otlpreceiver.Span, call string, c chain) {
	t.Helper()
	for _, err := range chainErrors(spans, call, c) {
		t.Error(err)
	}
}

// chainErrors lists every way the chain of call is broken in spans.
func chainErrors(spans []otlpreceiver.Span, call string, c chain) []error {
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
		if !c.front {
			// Down: the runtime's SERVER span, right below kubelet's.
			if rs := children(kc, c.runtime, "SERVER"); len(rs) != 1 {
				errs = append(errs, fmt.Errorf("kubelet CLIENT %s has %d %s SERVER children, want 1", call, len(rs), c.runtime))
			}
			continue
		}
		// Down: crio-trace SERVER → crio-trace CLIENT → runtime SERVER.
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
		if rs := children(fwd[0], c.runtime, "SERVER"); len(rs) != 1 {
			errs = append(errs, fmt.Errorf("crio-trace CLIENT %s has %d %s SERVER children, want 1", call, len(rs), c.runtime))
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
