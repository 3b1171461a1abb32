package systems_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/crio-trace/crio-trace/test/harness"
)

// nodeName is the kubelet's node name; static pods are named
// <manifest name>-<node name>.
const nodeName = "systems-node"

// kubeletSysctls are the kernel settings kubelet's container manager sets
// at start (vm.overcommit_memory=1 and friends). Each is bind-mounted, in
// the node's mount namespace, from a file already holding the value
// kubelet wants, so kubelet finds nothing to change and the host's values
// stay as they are.
var kubeletSysctls = map[string]string{
	"vm/overcommit_memory":      "1",
	"vm/panic_on_oom":           "0",
	"kernel/panic":              "10",
	"kernel/panic_on_oops":      "1",
	"kernel/keys/root_maxkeys":  "1000000",
	"kernel/keys/root_maxbytes": "25000000",
}

// kubeletConfig keeps kubelet off the host's settings: cgroupfs without
// QoS cgroups, no iptables, every port on 127.0.0.1, all state under the
// test's directory, tracing to the collector. Standalone it runs static
// pods; registered with an API server it authenticates clients by
// certificate and asks the API server to authorize them.
var kubeletConfig = template.Must(template.New("kubelet").Parse(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
{{- if .Manifests}}
staticPodPath: {{.Manifests}}
fileCheckFrequency: 1s
{{- end}}
containerRuntimeEndpoint: {{.Runtime}}
cgroupDriver: cgroupfs
cgroupsPerQOS: false
# "none", not []: kubelet merges --config-dir drop-ins through JSON that
# omits empty lists, and the default ("pods") would come back.
enforceNodeAllocatable: ["none"]
oomScoreAdj: 0
makeIPTablesUtilChains: false
failSwapOn: false
address: 127.0.0.1
port: {{.Port}}
readOnlyPort: {{.ReadOnlyPort}}
healthzBindAddress: 127.0.0.1
healthzPort: {{.HealthzPort}}
{{- if .ClientCA}}
authentication:
  anonymous:
    enabled: false
  x509:
    clientCAFile: {{.ClientCA}}
  webhook:
    enabled: true
authorization:
  mode: Webhook
{{- else}}
authentication:
  anonymous:
    enabled: true
  webhook:
    enabled: false
authorization:
  mode: AlwaysAllow
{{- end}}
podLogsDir: {{.PodLogs}}
# No cluster DNS runs, and pods are not handed the host's resolver (it may
# sit on a private address): names in pods resolve against 127.0.0.1.
resolvConf: {{.ResolvConf}}
volumePluginDir: {{.VolumePlugins}}
imageGCHighThresholdPercent: 100
evictionHard:
  nodefs.available: "0%"
  nodefs.inodesFree: "0%"
  imagefs.available: "0%"
{{- if .OTLP}}
tracing:
  endpoint: {{.OTLP}}
  samplingRatePerMillion: 1000000
{{- end}}
`))

// kubeletOptions say how startKubelet runs kubelet. The zero value of the
// cluster fields runs it standalone.
type kubeletOptions struct {
	// Runtime is the CRI endpoint; OTLP where kubelet exports (no tracing
	// block when empty). A drop-in in ConfigDir may override both.
	Runtime, OTLP string
	// Kubeconfig registers kubelet with that API server; empty runs it
	// standalone with static pods.
	Kubeconfig string
	// NodeName is --hostname-override (default nodeName).
	NodeName string
	// ConfigDir is kubelet's --config-dir: drop-ins merged over the config.
	ConfigDir string
	// ClientCA makes kubelet's API authenticate client certificates of
	// this CA and ask the API server to authorize (as on a kind node);
	// empty allows everyone, as a standalone kubelet on loopback may.
	ClientCA string
}

// kubelet is a running kubelet.
type kubelet struct {
	*harness.Process
	manifests string
	readOnly  string
}

// startKubelet runs kubelet in the node's mount namespace (see
// nodeNamespace), where the sysctls it sets and /var/lib and /var/log are
// bound to temporary files and directories, so it cannot change the host.
func startKubelet(t *testing.T, st systemTools, ns nodeNamespace, o kubeletOptions) kubelet {
	t.Helper()
	dir := t.TempDir()
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatalf("creating %s: %v", p, err)
		}
		return p
	}
	if o.NodeName == "" {
		o.NodeName = nodeName
	}
	k := kubelet{readOnly: loopback(freePort(t))}
	if o.Kubeconfig == "" {
		k.manifests = mk("manifests")
	}
	roPort, _ := strconv.Atoi(strings.TrimPrefix(k.readOnly, "127.0.0.1:"))
	resolv := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(resolv, []byte("nameserver 127.0.0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeTemplate(t, kubeletConfig, map[string]any{
		"Manifests": k.manifests, "Runtime": o.Runtime, "Port": freePort(t), "ReadOnlyPort": roPort,
		"HealthzPort": freePort(t), "PodLogs": mk("pod-logs"), "VolumePlugins": mk("volume-plugins"), "OTLP": o.OTLP,
		"ClientCA": o.ClientCA, "ResolvConf": resolv,
	}, dir, "kubelet.yaml")

	argv := append(ns.enter(), st.Kubelet, "--config", cfg, "--root-dir", mk("root"), "--cert-dir", mk("pki"),
		"--hostname-override", o.NodeName, "--v=2")
	if o.Kubeconfig != "" {
		argv = append(argv, "--kubeconfig", o.Kubeconfig)
	}
	if o.ConfigDir != "" {
		argv = append(argv, "--config-dir", o.ConfigDir)
	}
	// nsenter execs kubelet: one pid.
	k.Process = start(t, "kubelet", filepath.Join(dir, "kubelet.log"), []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, argv...)
	if err := waitFor(t.Context(), k.Process, "kubelet read-only API", 90*time.Second, 100*time.Millisecond,
		httpOK(t.Context(), "http://"+k.readOnly+"/pods")); err != nil {
		t.Fatal(err)
	}
	return k
}

// staticPod is the manifest the tests run: one container sleeping, host
// network (the CNI path is test/harness's business), quick to stop.
var staticPod = template.Must(template.New("pod").Parse(`apiVersion: v1
kind: Pod
metadata:
  name: {{.Name}}
  namespace: default
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
    - name: sleeper
      image: {{.Image}}
      imagePullPolicy: IfNotPresent
      command: ["sleep", "3600"]
`))

// addPod writes a static pod manifest and returns the pod's full name.
func (k kubelet) addPod(t *testing.T, name, image string) string {
	t.Helper()
	// Written aside and renamed, so kubelet never reads half a file.
	tmp := writeTemplate(t, staticPod, map[string]string{"Name": name, "Image": image}, filepath.Dir(k.manifests), name+".yaml")
	if err := os.Rename(tmp, filepath.Join(k.manifests, name+".yaml")); err != nil {
		t.Fatalf("adding manifest %q: %v", name, err)
	}
	return name + "-" + nodeName
}

// removePod deletes the manifest; kubelet then tears the pod down.
func (k kubelet) removePod(t *testing.T, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(k.manifests, name+".yaml")); err != nil {
		t.Fatalf("removing manifest %q: %v", name, err)
	}
}

// podPhase returns the phase kubelet reports for the pod, "" when kubelet
// does not know it.
func (k kubelet) podPhase(ctx context.Context, fullName string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+k.readOnly+"/pods", nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var list struct {
		Items []struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
			Status struct {
				Phase string `json:"phase"`
			} `json:"status"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return "", fmt.Errorf("decoding kubelet /pods: %w", err)
	}
	for _, p := range list.Items {
		if p.Metadata.Name == fullName {
			return p.Status.Phase, nil
		}
	}
	return "", nil
}
