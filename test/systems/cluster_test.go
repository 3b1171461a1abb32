package systems_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/test/harness"
)

// cluster is a one-node Kubernetes cluster on 127.0.0.1: etcd, the API
// server, the controller manager and the scheduler, a kubelet registered
// with them, crio-trace in front of containerd, and the collector with
// Jaeger and Prometheus behind it. Node-side files and flags come from the
// kind recipe (deploy/kind), rendered for loopback ports and temporary
// paths; everything traces to the one collector.
type cluster struct {
	*stack
	recipe kindRecipe
	layout nodeLayout
	cp     *controlPlane
	daemon *harness.Process
	// criSocket is crio-trace's CRI endpoint, as the recipe's kubelet
	// drop-in names it once rendered.
	criSocket string
	// crioTraceArgv is the recipe's crio-trace command line, rendered.
	crioTraceArgv []string
	// kubeletDropIns is kubelet's --config-dir (the recipe's patch).
	kubeletDropIns string
	kubelet        kubelet
	// tap receives every span the collector exports; nil without one.
	tap *otlpreceiver.Receiver
}

// clusterOptions change startCluster.
type clusterOptions struct {
	// tap makes the collector export to an in-process receiver too, so a
	// test sees every span (Jaeger's query API returns at most a page).
	tap bool
	// crioTraceArgs are appended to the recipe's crio-trace command line
	// (flags override its config file).
	crioTraceArgs []string
}

// startCluster brings the cluster up and waits until the node is Ready.
func startCluster(t *testing.T, o clusterOptions) *cluster {
	t.Helper()
	harness.RequireRoot(t) // before anything is started
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	r, err := loadKindRecipe(root)
	if err != nil {
		t.Fatalf("the kind recipe: %v", err)
	}
	c := &cluster{recipe: r}
	nodeDir := t.TempDir()
	c.layout = nodeLayout{Dir: nodeDir, RunDir: filepath.Join(nodeDir, "run", "crio-trace")}
	var tapAddr string
	if o.tap {
		if c.tap, err = otlpreceiver.Start("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			defer c.tap.Stop()
			if c.stack == nil {
				return // the stack did not start
			}
			// Everything the collector sent, for a person to look into.
			out := filepath.Join(c.artifactDir(t), t.Name()+"-spans.json")
			if b, err := json.Marshal(c.tap.Spans()); err != nil || os.WriteFile(out, b, 0o644) != nil {
				t.Errorf("keeping the spans in %s failed", out)
			} else {
				t.Logf("every span the collector exported is in %s", out)
			}
		})
		tapAddr = c.tap.Addr()
	}
	c.stack = startStack(t, stackOptions{tap: tapAddr, authRegistry: true,
		containerdTracing: func(collector string) (harness.TracingSettings, error) {
			c.layout.Collector = collector
			s, note, err := r.containerdTracing(c.layout)
			if note != "" {
				t.Logf("containerd tracing from the kind recipe: %s", note)
			}
			return s, err
		}})
	c.layout.Containerd = c.runtime.Endpoint()
	c.cp = startControlPlane(t, c.st, r, c.layout)

	argv, err := r.crioTraceCommand(c.layout, c.st.CrioTrace)
	if err != nil {
		t.Fatalf("crio-trace from the kind recipe: %v", err)
	}
	if c.criSocket, err = c.layout.render("criSocket", r.criSocket); err != nil {
		t.Fatal(err)
	}
	c.crioTraceArgv = argv
	c.startDaemon(t, o.crioTraceArgs)

	c.kubeletDropIns = filepath.Join(nodeDir, "kubelet.conf.d")
	if err := r.kubeletDropIn(c.layout, c.kubeletDropIns); err != nil {
		t.Fatalf("kubelet's drop-in from the kind recipe: %v", err)
	}
	c.kubelet = c.startKubelet(t)
	// Pods are refused until the controller manager has made the
	// namespace's default ServiceAccount.
	if err := waitFor(t.Context(), c.cp.procs["kube-controller-manager"], "the default ServiceAccount", time.Minute, 200*time.Millisecond, func() (bool, error) {
		var sa struct{}
		return c.cp.getJSON(t.Context(), "/api/v1/namespaces/default/serviceaccounts/default", &sa)
	}); err != nil {
		t.Fatal(err)
	}
	return c
}

// startDaemon starts crio-trace as the recipe's unit does, with extra
// flags after the unit's, and waits until it answers on the CRI socket.
func (c *cluster) startDaemon(t *testing.T, extra []string) {
	t.Helper()
	c.daemon = start(t, "crio-trace", filepath.Join(c.layout.Dir, "crio-trace.log"), []string{"PATH=/usr/bin:/bin"},
		append(slices.Clone(c.crioTraceArgv), extra...)...)
	if err := waitFor(t.Context(), c.daemon, "crio-trace answering CRI Version", 30*time.Second, 20*time.Millisecond, func() (bool, error) {
		_, err := criVersion(t.Context(), c.criSocket)
		return err == nil, err
	}); err != nil {
		t.Fatal(err)
	}
}

// restartDaemon stops crio-trace (SIGTERM: drain, flush) and starts it
// again with extra flags.
func (c *cluster) restartDaemon(t *testing.T, extra []string) {
	t.Helper()
	if err := c.daemon.Stop(30 * time.Second); err != nil {
		t.Fatalf("stopping crio-trace: %v", err)
	}
	c.startDaemon(t, extra)
}

// startKubelet starts the node's kubelet, registered with the API server,
// with the recipe's drop-in (and any other in c.kubeletDropIns), and waits
// until the node is Ready.
func (c *cluster) startKubelet(t *testing.T) kubelet {
	t.Helper()
	k := startKubelet(t, c.st, c.ns, kubeletOptions{Kubeconfig: c.cp.kubeletKubeconfig, NodeName: clusterNodeName,
		ConfigDir: c.kubeletDropIns, ClientCA: c.cp.pki.caFile()})
	if err := waitFor(t.Context(), k.Process, "node "+clusterNodeName+" Ready", 3*time.Minute, 250*time.Millisecond, func() (bool, error) {
		return c.cp.nodeReady(t.Context(), clusterNodeName)
	}); err != nil {
		t.Fatal(err)
	}
	return k
}

// logs lists the log files of every program of the cluster.
func (c *cluster) logs() []string {
	out := append(c.cp.logs(), c.daemon.LogPath(), c.kubelet.LogPath(), c.runtime.LogPath())
	return append(out, c.b.logs...)
}

// kubectl runs the cluster's kubectl as admin with stdin, and returns its
// combined output.
func (cp *controlPlane) kubectl(ctx context.Context, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	// kubectl caches discovery under $HOME/.kube unless told otherwise.
	cmd := exec.CommandContext(ctx, cp.st.Kubectl, append([]string{"--kubeconfig", cp.admin, "--cache-dir", filepath.Join(cp.dir, "kube-cache")}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// holdEnv names the directory where TestCluster, run by hack/cluster/up.sh
// (make cluster), writes how to use the cluster, and then holds it until
// SIGTERM (make cluster-down).
const holdEnv = "CRIO_TRACE_CLUSTER_HOLD"

// TestCluster runs the seed's whole chain in a real cluster: kubectl
// applies a Deployment of two replicas and a pod whose image needs a pull
// secret, and the test checks, from the collector, what each component
// traced and which traces connect across components. With
// CRIO_TRACE_CLUSTER_HOLD set it brings the cluster up and holds it for a
// person instead (make cluster).
func TestCluster(t *testing.T) {
	if dir := os.Getenv(holdEnv); dir != "" {
		holdCluster(t, dir)
		return
	}
	c := startCluster(t, clusterOptions{tap: true})
	w := c.runWorkload(t)
	c.checkTraces(t, w)
	c.checkSecretNowhere(t, w)
}
