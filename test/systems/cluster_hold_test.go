package systems_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// holdCluster brings the cluster up for a person (make cluster): it writes
// into dir a kubeconfig, a sample workload and usage.txt (what to type,
// where the traces are), then "ready", and holds the cluster until SIGTERM
// or SIGINT. Returning runs the test's cleanups: every process stopped by
// its pid, mounts and cgroups removed, and the host checked against the
// snapshot taken before — a failure there fails this run, which
// hack/cluster/down.sh reports.
func holdCluster(t *testing.T, dir string) {
	ctx, stop := signal.NotifyContext(t.Context(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	c := startCluster(t, clusterOptions{})
	manifest, _, err := c.renderWorkload()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := os.ReadFile(c.cp.admin)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"kubeconfig": string(kubeconfig), "sample.yaml": manifest, "usage.txt": c.usage(dir)}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ready"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("cluster ready; holding it until SIGTERM (make cluster-down):\n%s", files["usage.txt"])
	<-ctx.Done()
	t.Logf("stopping the cluster")
	for _, f := range []string{"ready", "kubeconfig", "sample.yaml", "kube-cache"} {
		os.RemoveAll(filepath.Join(dir, f))
	}
	// The pods a person started are swept with the test's own.
	listCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := c.rememberAll(listCtx); err != nil {
		t.Errorf("listing containerd's pods for the cgroup sweep: %v", err)
	}
}

// usage is what make cluster prints.
func (c *cluster) usage(dir string) string {
	var b strings.Builder
	kubectl := c.st.Kubectl + " --kubeconfig " + filepath.Join(dir, "kubeconfig") + " --cache-dir " + filepath.Join(dir, "kube-cache")
	fmt.Fprintf(&b, "One-node cluster on 127.0.0.1 (API server %s, node %s), tracing everywhere.\n\n", c.cp.server, clusterNodeName)
	fmt.Fprintf(&b, "kubectl:\n  alias k=%q\n  k get nodes,pods -A\n", kubectl)
	fmt.Fprintf(&b, "  k apply -f %s   # a Deployment of 2, a pod pulling with an imagePullSecret, one pulling without (fails)\n", filepath.Join(dir, "sample.yaml"))
	fmt.Fprintf(&b, "  k run traced --image=%s -- sleep 3600\n", c.image())
	fmt.Fprintf(&b, "Images: %s (open), %s%s (user %s; the secret is in sample.yaml)\n\n", c.image(), c.authRegistry.addr, busyboxRef, c.authRegistry.user)
	fmt.Fprintf(&b, "Traces (services apiserver, etcd, kubelet, crio-trace, containerd) in Jaeger's query API (no UI in this build):\n")
	fmt.Fprintf(&b, "  curl -s %s/api/services\n", c.b.JaegerQuery)
	fmt.Fprintf(&b, "  curl -s '%s/api/traces?service=kubelet&operation=syncPod&limit=5'\n", c.b.JaegerQuery)
	fmt.Fprintf(&b, "  curl -s '%s/api/traces?service=apiserver&limit=5'\n", c.b.JaegerQuery)
	fmt.Fprintf(&b, "Span metrics in Prometheus: %s/api/v1/query?query=traces_span_metrics_calls_total\n", c.b.PrometheusAPI)
	fmt.Fprintf(&b, "Collector (OTLP gRPC): %s\n\nLogs:\n", c.b.CollectorOTLP)
	for _, l := range c.logs() {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	b.WriteString("\nStop everything: make cluster-down\n")
	return b.String()
}
