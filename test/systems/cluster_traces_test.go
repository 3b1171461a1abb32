package systems_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// checkTraces asks the collector's spans (through the tap) what each
// component traced for the workload and which links cross components, and
// keeps the measurements in bin/systems/cluster-links.txt.
func (c *cluster) checkTraces(t *testing.T, w workload) {
	t.Helper()
	probes := c.probeAdoption(t)
	x := c.waitForSpans(t, w, probes)
	var report strings.Builder
	fmt.Fprintf(&report, "spans: %d from services %v\n", len(x.spans), servicesOf(x.spans))

	t.Run("API server SERVER spans with etcd CLIENT children and etcd's own spans", func(t *testing.T) {
		checkAPIServerEtcd(t, x, &report)
	})
	t.Run("the scheduler's binding requests", func(t *testing.T) { checkBindings(t, x, w, &report) })
	for _, p := range w.pods {
		t.Run("syncPod chain of "+p.Name, func(t *testing.T) { checkPodChain(t, x, p.Name) })
	}
	t.Run("how the API server's clients connect", func(t *testing.T) { checkClients(t, x, &report) })
	t.Run("the API server adopts trace context only from privileged clients", func(t *testing.T) {
		checkAdoption(t, x, probes, &report)
	})
	t.Run("parent-child links across processes", func(t *testing.T) { countEdges(t, x, &report) })
	t.Run("traces spanning services", func(t *testing.T) { countTraces(t, x, len(w.pods), &report) })

	t.Logf("cross-component links, measured:\n%s", report.String())
	out := filepath.Join(c.artifactDir(t), "cluster-links.txt")
	if err := os.WriteFile(out, []byte(report.String()), 0o644); err != nil {
		t.Errorf("keeping the report: %v", err)
	}
}

// waitForSpans waits until, for every pod, containerd's spans of the
// creation calls have arrived under crio-trace's (containerd batches for
// ~5 s) and the probes' API server spans are there, and returns every span
// that had ended by then.
func (c *cluster) waitForSpans(t *testing.T, w workload, probes []adoptionProbe) *spanIndex {
	t.Helper()
	var x *spanIndex
	err := waitFor(t.Context(), nil, "the pods' and probes' spans at the collector", 2*time.Minute, time.Second, func() (bool, error) {
		x = newSpanIndex(c.tap.Spans())
		for _, p := range w.pods {
			for _, call := range creationCalls {
				if len(podChainSpans(x, p.Name, call)) == 0 {
					return false, fmt.Errorf("no containerd %s under crio-trace's for pod %s yet", call, p.Name)
				}
			}
		}
		for _, p := range probes {
			if len(probeSpans(x, p)) == 0 {
				return false, fmt.Errorf("no API server span of the probe as %s yet", p.who)
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Exporters batch (containerd every ~5 s). Count only spans that ended
	// by now, once every service has exported a span that ended later:
	// each exports in the order spans end, so nothing older is in flight.
	cut := time.Now()
	services := []string{svcAPIServer, svcEtcd, svcKubelet, svcCrioTrace, svcContainerd}
	err = waitFor(t.Context(), nil, "every service exporting past "+cut.Format(time.StampMilli), time.Minute, 500*time.Millisecond, func() (bool, error) {
		later := map[string]bool{}
		for _, s := range c.tap.Spans() {
			if s.End.After(cut) {
				later[s.Service] = true
			}
		}
		for _, svc := range services {
			if !later[svc] {
				return false, fmt.Errorf("nothing from %s ended after the cut yet", svc)
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var done []otlpreceiver.Span
	for _, s := range c.tap.Spans() {
		if !s.End.After(cut) {
			done = append(done, s)
		}
	}
	return newSpanIndex(done)
}

// podChainSpans returns containerd's SERVER spans of call whose trace has
// crio-trace's SERVER span of call for pod.
func podChainSpans(x *spanIndex, pod, call string) []otlpreceiver.Span {
	traces := map[string]bool{}
	for _, s := range x.spans {
		if s.Service == svcCrioTrace && s.Kind == "SERVER" && s.Name == creationCalls[0] && s.Attributes["k8s.pod.name"] == pod {
			traces[s.TraceID] = true
		}
	}
	return x.where(func(s otlpreceiver.Span) bool {
		return traces[s.TraceID] && s.Service == svcContainerd && s.Kind == "SERVER" && s.Name == call
	})
}

// checkPodChain: kubelet's syncPod → kubelet CLIENT → crio-trace SERVER →
// crio-trace CLIENT → containerd SERVER for each creation call (and the
// pull when kubelet pulled in that trace).
func checkPodChain(t *testing.T, x *spanIndex, pod string) {
	var trace []otlpreceiver.Span
	for _, s := range x.spans {
		if s.Service == svcCrioTrace && s.Name == creationCalls[0] && s.Attributes["k8s.pod.name"] == pod {
			trace = otlpreceiver.Trace(x.spans, s.TraceID)
		}
	}
	if trace == nil {
		t.Fatalf("no crio-trace %s span for pod %s", creationCalls[0], pod)
	}
	calls := slices.Clone(creationCalls)
	if slices.ContainsFunc(trace, func(s otlpreceiver.Span) bool {
		return s.Service == svcKubelet && s.Name == "runtime.v1.ImageService/PullImage"
	}) {
		calls = append(calls, "runtime.v1.ImageService/PullImage")
	}
	for _, call := range calls {
		for _, err := range chainErrors(trace, call, throughCrioTrace) {
			t.Errorf("%s: %v", call, err)
		}
	}
	if pod == privatePod && !slices.Contains(calls, "runtime.v1.ImageService/PullImage") {
		t.Errorf("pod %s pulls with imagePullPolicy Always, but its syncPod trace has no PullImage", pod)
	}
}

// checkAPIServerEtcd: the API server's SERVER spans have etcd CLIENT
// descendants, and etcd's own SERVER spans are their children.
func checkAPIServerEtcd(t *testing.T, x *spanIndex, report *strings.Builder) {
	servers := x.where(isAPIServerRequest)
	calls := x.where(isEtcdCall)
	var underServer, withEtcdChild int
	for _, call := range calls {
		for p, ok := x.parent(call); ok; p, ok = x.parent(p) {
			if isAPIServerRequest(p) {
				underServer++
				break
			}
		}
		if slices.ContainsFunc(x.childrenOf(call), func(s otlpreceiver.Span) bool { return s.Service == svcEtcd && s.Kind == "SERVER" }) {
			withEtcdChild++
		}
	}
	etcdServers := x.where(func(s otlpreceiver.Span) bool { return s.Service == svcEtcd && s.Kind == "SERVER" })
	fmt.Fprintf(report, "API server SERVER spans: %d; its etcd CLIENT spans: %d, %d under a SERVER span (the rest are its own background work), %d with an etcd SERVER child\n",
		len(servers), len(calls), underServer, withEtcdChild)
	fmt.Fprintf(report, "etcd SERVER spans: %d (%d of them children of the API server's CLIENT spans)\n", len(etcdServers), withEtcdChild)
	if len(servers) == 0 || underServer == 0 {
		t.Errorf("want API server SERVER spans with etcd CLIENT descendants: %d SERVER spans, %d etcd calls under one", len(servers), underServer)
	}
	if withEtcdChild == 0 {
		t.Errorf("no etcd SERVER span is the child of an API server etcd CLIENT span (%d etcd SERVER spans)", len(etcdServers))
	}
}

// checkBindings: each pod's binding, POSTed by the scheduler, is an API
// server SERVER span that starts its own trace (the scheduler does not
// trace) and writes to etcd.
func checkBindings(t *testing.T, x *spanIndex, w workload, report *strings.Builder) {
	for _, p := range w.pods {
		suffix := "/pods/" + p.Name + "/binding"
		spans := x.where(func(s otlpreceiver.Span) bool {
			return isAPIServerRequest(s) && strings.HasSuffix(strings.SplitN(httpTarget(s), "?", 2)[0], suffix)
		})
		if len(spans) != 1 {
			t.Errorf("pod %s: %d API server spans for POST ...%s, want 1", p.Name, len(spans), suffix)
			continue
		}
		s := spans[0]
		if ua := userAgent(s); !strings.Contains(ua, "kube-scheduler") {
			t.Errorf("pod %s: binding from user agent %q, want kube-scheduler", p.Name, ua)
		}
		etcd := 0
		for _, d := range x.descendants(s) {
			if isEtcdCall(d) {
				etcd++
			}
		}
		if etcd == 0 {
			t.Errorf("pod %s: the binding span has no etcd CLIENT descendant", p.Name)
		}
		fmt.Fprintf(report, "binding of %s: span %q, parent %q, %d links, %d etcd calls below\n", p.Name, s.Name, s.ParentSpanID, len(s.Links), etcd)
	}
}

// countEdges counts CLIENT spans by whether a SERVER span of another
// process is their child — the trace crossing a process boundary as
// parent and child — and checks the crossings the cluster must have.
func countEdges(t *testing.T, x *spanIndex, report *strings.Builder) {
	type edge struct{ from, to string }
	crossed := map[edge]int{}
	open := map[string]int{}
	for _, c := range x.where(func(s otlpreceiver.Span) bool { return s.Kind == "CLIENT" }) {
		found := false
		for _, ch := range x.childrenOf(c) {
			if ch.Kind == "SERVER" {
				crossed[edge{c.Service, ch.Service}]++
				found = true
			}
		}
		if !found {
			open[c.Service]++
		}
	}
	var lines []string
	for e, n := range crossed {
		lines = append(lines, fmt.Sprintf("  %-10s -> %-10s %5d CLIENT spans with the SERVER span as child", e.from, e.to, n))
	}
	for svc, n := range open {
		lines = append(lines, fmt.Sprintf("  %-10s -> (none)     %5d CLIENT spans without a SERVER child here", svc, n))
	}
	slices.Sort(lines)
	fmt.Fprintf(report, "parent-child across processes:\n%s\n", strings.Join(lines, "\n"))
	for _, e := range []edge{{svcKubelet, svcCrioTrace}, {svcCrioTrace, svcContainerd}, {svcAPIServer, svcEtcd}, {svcAPIServer, svcAPIServer}} {
		if crossed[e] == 0 {
			t.Errorf("no %s CLIENT span has a %s SERVER child", e.from, e.to)
		}
	}
	if n := crossed[edge{svcKubelet, svcAPIServer}]; n != 0 {
		t.Errorf("%d kubelet CLIENT spans have an API server SERVER child; the API server does not continue system:nodes traces", n)
	}
}

// countTraces: how many traces span how many services; the pods' syncPod
// traces span kubelet, crio-trace and containerd.
func countTraces(t *testing.T, x *spanIndex, pods int, report *strings.Builder) {
	bySet := map[string]int{}
	three := 0
	for _, svcs := range x.traceServices() {
		bySet[strings.Join(svcs, "+")]++
		if len(svcs) >= 3 {
			three++
		}
	}
	sets := make([]string, 0, len(bySet))
	for s := range bySet {
		sets = append(sets, s)
	}
	slices.Sort(sets)
	fmt.Fprintf(report, "traces: %d; spanning >= 3 services: %d\n", len(x.traceServices()), three)
	for _, s := range sets {
		fmt.Fprintf(report, "  %-40s %d traces\n", s, bySet[s])
	}
	if three < pods {
		t.Errorf("%d traces span three or more services, want at least one per pod (%d)", three, pods)
	}
}

// servicesOf lists the services among spans, sorted.
func servicesOf(spans []otlpreceiver.Span) []string {
	var out []string
	for _, s := range spans {
		if !slices.Contains(out, s.Service) {
			out = append(out, s.Service)
		}
	}
	slices.Sort(out)
	return out
}
