package systems_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/waterfall"
)

// drawPodStart draws one pod's start on one time axis: the API server's
// traces for the pod (kubectl's create, the scheduler's binding, kubelet's
// reads and status updates, each with its etcd calls and etcd's spans),
// the kubelet CLIENT spans those requests link to, and kubelet's syncPod
// traces down to containerd. They are separate traces — the API server
// starts a new one for every request from an unprivileged client — lined
// up by their timestamps (one clock: one machine). The picture is kept as
// bin/systems/cluster-pod-start.{txt,html}.
func (c *cluster) drawPodStart(t *testing.T, ps podStart) {
	t.Helper()
	var spans []otlpreceiver.Span
	err := waitFor(t.Context(), nil, "the spans of pod "+ps.name, time.Minute, time.Second, func() (bool, error) {
		x := newSpanIndex(c.tap.Spans())
		spans = podStartSpans(x, ps)
		got := servicesOf(spans)
		want := []string{svcAPIServer, svcContainerd, svcCrioTrace, svcEtcd, svcKubelet}
		if !slices.Equal(got, want) {
			return false, fmt.Errorf("services %v, want %v", got, want)
		}
		// kubelet exports syncPod when it ends, in batches: wait until
		// crio-trace's spans hang under kubelet's again.
		in := newSpanIndex(spans)
		for _, s := range spans {
			if s.Service == svcCrioTrace && s.Kind == "SERVER" {
				if _, ok := in.parent(s); !ok {
					return false, fmt.Errorf("kubelet's span above crio-trace's %s not here yet", s.Name)
				}
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := waterfall.Text(&text, spans, waterfall.Options{Width: 160}); err != nil {
		t.Fatalf("rendering the waterfall: %v", err)
	}
	var html bytes.Buffer
	if err := waterfall.HTML(&html, spans, "pod "+ps.name+": kubectl apply → Running, API server and kubelet on one time axis"); err != nil {
		t.Fatalf("rendering the HTML waterfall: %v", err)
	}
	dir := c.artifactDir(t)
	for name, b := range map[string][]byte{"cluster-pod-start.txt": text.Bytes(), "cluster-pod-start.html": html.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Errorf("keeping %s: %v", name, err)
		}
	}
	t.Logf("pod %s from kubectl apply to Running (%s), every component on one time axis:\n%s\nkept in %s/cluster-pod-start.{txt,html}",
		ps.name, ps.running.Sub(ps.applied).Round(time.Millisecond), text.String(), dir)
}

// podStartSpans selects what drawPodStart draws from the collector's spans.
func podStartSpans(x *spanIndex, ps podStart) []otlpreceiver.Span {
	from, to := ps.applied.Add(-50*time.Millisecond), ps.running.Add(200*time.Millisecond)
	in := func(s otlpreceiver.Span) bool { return !s.Start.Before(from) && s.Start.Before(to) }
	seen := map[spanKey]bool{}
	var out []otlpreceiver.Span
	add := func(ss ...otlpreceiver.Span) {
		for _, s := range ss {
			if !seen[key(s)] {
				seen[key(s)] = true
				out = append(out, s)
			}
		}
	}
	// The API server's requests about the pod, and kubectl's create.
	for _, s := range x.where(isAPIServerRequest) {
		target := httpTarget(s)
		path := strings.SplitN(target, "?", 2)[0]
		about := strings.HasSuffix(path, "/pods/"+ps.name) || strings.Contains(path, "/pods/"+ps.name+"/") ||
			strings.Contains(target, "metadata.name%3D"+ps.name) || strings.Contains(target, "metadata.name="+ps.name)
		if strings.Contains(target, "watch=true") {
			continue // the test's own watch on the pod
		}
		create := httpMethod(s) == "POST" && path == "/api/v1/namespaces/default/pods" && strings.HasPrefix(userAgent(s), "kubectl")
		if (about || create) && in(s) {
			// The API server's filter spans above a continued request.
			for p, ok := x.parent(s); ok && p.Service == svcAPIServer; p, ok = x.parent(p) {
				add(p)
			}
			add(s)
			add(x.descendants(s)...)
			add(x.linked(s)...)
		}
	}
	// kubelet's syncPod traces of the pod, whole.
	for _, s := range x.spans {
		if s.Service == svcCrioTrace && s.Attributes["k8s.pod.name"] == ps.name && s.Start.Before(to) {
			for _, tr := range otlpreceiver.Trace(x.spans, s.TraceID) {
				if in(tr) || tr.ParentSpanID == "" {
					add(tr)
				}
			}
		}
	}
	return out
}
