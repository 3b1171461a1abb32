package systems_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"
)

// clusterLatencyPods is how many pods each mode starts after a warm-up
// pod; the median is reported.
const clusterLatencyPods = 5

// latencyPod is a bare pod from the open registry (pulled once before the
// runs), with everything the API server adds by default: a service-account
// token volume, the default scheduler.
var latencyPod = template.Must(template.New("pod").Parse(`apiVersion: v1
kind: Pod
metadata:
  name: {{.Name}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: sleeper
      image: {{.Image}}
      imagePullPolicy: IfNotPresent
      command: ["sleep", "3600"]
`))

// TestClusterPodStart measures pod start through the real control plane:
// from `kubectl apply` of a pod to the API server reporting it Running
// (seen on a watch), with kubelet talking to containerd directly, and
// through crio-trace with its tracing off and on. kubelet, the API server,
// etcd and containerd trace in every mode, so the modes differ only by
// crio-trace. Medians go to the log and bin/systems/cluster-pod-start.txt;
// no timing is asserted (the machine is shared). One pod's start in the
// traced mode is drawn as a waterfall lining up the API server's and
// kubelet's traces on one time axis.
func TestClusterPodStart(t *testing.T) {
	c := startCluster(t, clusterOptions{tap: true})
	modes := []struct {
		name      string
		crioTrace []string // crio-trace's extra flags; nil: kubelet talks to containerd
	}{
		{"direct", nil},
		{"crio-trace tracing off", []string{"--enable-tracing=false"}},
		{"crio-trace tracing on", []string{}},
	}
	var report strings.Builder
	medians := map[string]time.Duration{}
	var traced podStart
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c.switchMode(t, m.crioTrace)
			c.startPod(t, fmt.Sprintf("warm%d", i)) // kubelet's first pod also waits for housekeeping
			var took []time.Duration
			for n := range clusterLatencyPods {
				ps := c.startPod(t, fmt.Sprintf("lat%d-%d", i, n))
				took = append(took, ps.running.Sub(ps.applied))
				traced = ps
			}
			slices.Sort(took)
			medians[m.name] = took[len(took)/2]
			line := fmt.Sprintf("%-24s median %8s  min %8s  max %8s  (n=%d)", m.name, medians[m.name].Round(time.Millisecond),
				took[0].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond), len(took))
			t.Log(line)
			report.WriteString(line + "\n")
		})
	}
	if len(medians) != len(modes) {
		t.Fatalf("only %d of %d modes measured", len(medians), len(modes))
	}
	ratio := func(a, b string) string {
		return fmt.Sprintf("%-40s %.2f\n", a+" / "+b, float64(medians[a])/float64(medians[b]))
	}
	report.WriteString(ratio("crio-trace tracing off", "direct"))
	report.WriteString(ratio("crio-trace tracing on", "direct"))
	report.WriteString(ratio("crio-trace tracing on", "crio-trace tracing off"))
	t.Logf("pod start through the control plane (kubectl apply → Running on a watch), medians:\n%s", report.String())
	if err := os.WriteFile(filepath.Join(c.artifactDir(t), "cluster-pod-start.txt"), []byte(report.String()), 0o644); err != nil {
		t.Errorf("keeping the report: %v", err)
	}
	c.drawPodStart(t, traced)
}

// podStart is one measured pod start.
type podStart struct {
	name             string
	uid              string
	applied, running time.Time
}

// switchMode restarts kubelet talking to containerd directly (crioTrace
// nil) or to crio-trace restarted with those extra flags, and waits until
// the node is Ready again.
func (c *cluster) switchMode(t *testing.T, crioTrace []string) {
	t.Helper()
	if err := c.kubelet.Stop(15 * time.Second); err != nil {
		t.Fatalf("stopping kubelet: %v", err)
	}
	direct := filepath.Join(c.kubeletDropIns, "60-direct.conf")
	if crioTrace == nil {
		body := "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncontainerRuntimeEndpoint: " + c.runtime.Endpoint() + "\n"
		if err := os.WriteFile(direct, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	} else {
		if err := os.Remove(direct); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		c.restartDaemon(t, crioTrace)
	}
	c.kubelet = c.startKubelet(t)
}

// startPod applies a pod, measures until it runs, and deletes it again.
func (c *cluster) startPod(t *testing.T, name string) podStart {
	t.Helper()
	ctx := t.Context()
	var b strings.Builder
	if err := latencyPod.Execute(&b, map[string]string{"Name": name, "Image": c.image()}); err != nil {
		t.Fatal(err)
	}
	w, err := c.cp.watchPod(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	ps := podStart{name: name, applied: time.Now()}
	if _, err := c.cp.kubectl(ctx, b.String(), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	if ps.running, err = w.until("Running", 2*time.Minute); err != nil {
		t.Fatalf("pod %s: %v", name, err)
	}
	p, _, err := c.cp.pod(ctx, "default", name)
	if err != nil {
		t.Fatal(err)
	}
	ps.uid = p.UID
	if err := c.rememberAll(ctx); err != nil {
		t.Errorf("listing containerd's pods: %v", err)
	}
	if _, err := c.cp.kubectl(ctx, "", "delete", "pod", name, "--wait=true", "--timeout=2m"); err != nil {
		t.Fatal(err)
	}
	return ps
}
