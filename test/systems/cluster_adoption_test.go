package systems_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// adoptionProbe is one request the test sent to the API server with a
// traceparent of its own making.
type adoptionProbe struct {
	who             string // the client certificate's user, for messages
	marker          string // in the request's query, to find its span
	traceID, spanID string // the context sent
	wantAdopted     bool   // the API server should continue the trace
}

// probeAdoption sends the API server two requests with a W3C traceparent
// made here: one as a member of system:masters, one as the node
// (system:nodes). k8s.io/apiserver decides in
// staging/src/k8s.io/apiserver/pkg/endpoints/filters/traces.go
// (WithTracing: otelhttp.WithPublicEndpointFn(notSystemPrivilegedGroup))
// that requests of users outside system:masters and system:monitoring are
// a public endpoint: their span starts a new trace and only links to the
// caller's. The tracing filter runs after authentication
// (staging/src/k8s.io/apiserver/pkg/server/config.go,
// DefaultBuildHandlerChain), so the user is known; authorization comes
// later, so the answer (200 or 403) does not matter.
func (c *cluster) probeAdoption(t *testing.T) []adoptionProbe {
	t.Helper()
	clients := []struct {
		who   string
		pair  certPair
		adopt bool
	}{
		{"system:masters (admin)", c.cp.adminCert, true},
		{"system:node:" + clusterNodeName, c.cp.kubeletClient, false},
	}
	var probes []adoptionProbe
	for _, cl := range clients {
		p := adoptionProbe{who: cl.who, marker: "probe-" + randomHex(t, 6), traceID: randomHex(t, 16), spanID: randomHex(t, 8), wantAdopted: cl.adopt}
		hc, err := c.cp.client(cl.pair)
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet,
			c.cp.server+"/api/v1/namespaces/default/pods?labelSelector=crio-trace%3D"+p.marker, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("traceparent", "00-"+p.traceID+"-"+p.spanID+"-01")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("probe as %s: %v", cl.who, err)
		}
		resp.Body.Close()
		t.Logf("probe as %s with trace %s: %s", cl.who, p.traceID, resp.Status)
		probes = append(probes, p)
	}
	return probes
}

// checkAdoption finds each probe's API server span and checks the trace
// context was continued (privileged) or only linked (everyone else).
func checkAdoption(t *testing.T, x *spanIndex, probes []adoptionProbe, report *strings.Builder) {
	for _, p := range probes {
		found := probeSpans(x, p)
		if len(found) != 1 {
			t.Errorf("request of %s: %d API server spans with %s in the target, want 1", p.who, len(found), p.marker)
			continue
		}
		s := found[0]
		adopted := s.TraceID == p.traceID && s.ParentSpanID == p.spanID
		linked := slices.ContainsFunc(s.Links, func(l otlpreceiver.Link) bool { return l.TraceID == p.traceID && l.SpanID == p.spanID })
		fmt.Fprintf(report, "traceparent from %s: adopted=%t (span in trace %s, parent %q), linked=%t\n", p.who, adopted, s.TraceID, s.ParentSpanID, linked)
		switch {
		case p.wantAdopted && !adopted:
			t.Errorf("request of %s: span in trace %s with parent %q, want the sent context %s/%s continued", p.who, s.TraceID, s.ParentSpanID, p.traceID, p.spanID)
		case !p.wantAdopted && (adopted || s.TraceID == p.traceID || !linked):
			t.Errorf("request of %s: span in trace %s, parent %q, links %+v; want a new trace linking to %s/%s", p.who, s.TraceID, s.ParentSpanID, s.Links, p.traceID, p.spanID)
		}
	}
}

// clientLinks counts, for the API server's SERVER spans of one client,
// how each relates to the client's side.
type clientLinks struct {
	spans int
	// parent counts spans whose parent is a span of another service (the
	// trace continued), own those whose parent is the API server's own
	// (its filter spans), missing those whose parent is not among the spans.
	parent, own, missing int
	// linked counts new traces that link to a span we have; linkedAway
	// those linking to a span we do not (still in flight, or not exported).
	linked, linkedAway int
	// alone counts new traces without a link: the client sent no context.
	alone int
}

// clientFamily is the program in a user agent ("kubelet/v0.0.0 (linux/...)").
func clientFamily(ua string) string {
	if ua == "" {
		return "(none)"
	}
	return strings.SplitN(ua, "/", 2)[0]
}

// classifyClients sorts the API server's SERVER spans by client and by
// how each relates to the client's side.
func classifyClients(x *spanIndex) map[string]*clientLinks {
	byClient := map[string]*clientLinks{}
	for _, s := range x.where(isAPIServerRequest) {
		f := clientFamily(userAgent(s))
		c := byClient[f]
		if c == nil {
			c = &clientLinks{}
			byClient[f] = c
		}
		c.spans++
		if s.ParentSpanID != "" {
			switch p, ok := x.parent(s); {
			case !ok:
				c.missing++
			case p.Service == svcAPIServer && p.Kind != "CLIENT":
				c.own++
			default:
				c.parent++
			}
			continue
		}
		switch {
		case len(x.linked(s)) > 0:
			c.linked++
		case len(s.Links) > 0:
			c.linkedAway++
		default:
			c.alone++
		}
	}
	return byClient
}

// checkClients measures, per client of the API server, whether its
// requests' SERVER spans continue the client's trace, link to it, or stand
// alone, and checks what the source says: kubelet (system:nodes) traces
// its requests and gets new linked traces; the API server's loopback
// client (system:apiserver, in system:masters) traces and is continued;
// the scheduler and the controller manager do not trace, so their
// requests start traces of their own with nothing to link.
func checkClients(t *testing.T, x *spanIndex, report *strings.Builder) {
	byClient := classifyClients(x)
	families := make([]string, 0, len(byClient))
	for f := range byClient {
		families = append(families, f)
	}
	slices.Sort(families)
	fmt.Fprintf(report, "API server SERVER spans by client: continued the client's trace / under the API server's own filter span / parent not exported / new trace linking to the client's span / linking to a span not exported / new trace, nothing to link\n")
	for _, f := range families {
		c := byClient[f]
		fmt.Fprintf(report, "  %-26s %4d spans: %4d continued  %4d own  %3d missing  %4d linked  %3d linked-away  %4d alone\n",
			f, c.spans, c.parent, c.own, c.missing, c.linked, c.linkedAway, c.alone)
	}
	kubelet := byClient["kubelet"]
	if kubelet == nil || kubelet.linked == 0 || kubelet.parent != 0 {
		t.Errorf("kubelet's requests: %+v; want new traces linking to kubelet's CLIENT spans and none continued (system:nodes is not privileged)", kubelet)
	}
	if lo := byClient["kube-apiserver"]; lo == nil || lo.parent == 0 {
		t.Errorf("the API server's loopback requests: %+v; want some continuing its own CLIENT span (system:masters is privileged)", lo)
	}
	for _, f := range []string{"kube-scheduler", "kube-controller-manager"} {
		c := byClient[f]
		if c == nil || c.spans == 0 {
			t.Errorf("no API server span for requests of %s", f)
			continue
		}
		if c.parent+c.linked+c.linkedAway+c.missing != 0 {
			t.Errorf("%s does not trace, yet its requests' spans connect to something: %+v", f, c)
		}
	}
	clients := x.where(isKubeletHTTP)
	fmt.Fprintf(report, "kubelet HTTP CLIENT spans: %d\n", len(clients))
	if len(clients) == 0 {
		t.Error("kubelet traced none of its requests to the API server")
	}
}

// probeSpans returns the API server spans of the probe's request.
func probeSpans(x *spanIndex, p adoptionProbe) []otlpreceiver.Span {
	return x.where(func(s otlpreceiver.Span) bool {
		return isAPIServerRequest(s) && strings.Contains(httpTarget(s), p.marker)
	})
}

// randomHex returns n random bytes in hex.
func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
