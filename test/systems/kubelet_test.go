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
// the kubelet's own mount namespace, from a file already holding the value
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

// kubeletConfig is a standalone kubelet: static pods only, no API server,
// cgroupfs without QoS cgroups, no iptables, every port on 127.0.0.1, all
// state under the test's directory, tracing to the collector.
var kubeletConfig = template.Must(template.New("kubelet").Parse(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodPath: {{.Manifests}}
fileCheckFrequency: 1s
containerRuntimeEndpoint: {{.Runtime}}
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
oomScoreAdj: 0
makeIPTablesUtilChains: false
failSwapOn: false
address: 127.0.0.1
port: {{.Port}}
readOnlyPort: {{.ReadOnlyPort}}
healthzBindAddress: 127.0.0.1
healthzPort: {{.HealthzPort}}
authentication:
  anonymous:
    enabled: true
  webhook:
    enabled: false
authorization:
  mode: AlwaysAllow
podLogsDir: {{.PodLogs}}
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

// kubelet is a running standalone kubelet.
type kubelet struct {
	*harness.Process
	manifests string
	readOnly  string
}

// startKubelet runs kubelet against the CRI endpoint runtime, tracing to
// otlp (none when empty), in `unshare --mount` with the sysctls it sets and
// /var/lib and /var/log bound to temporary files and directories. Its
// mounts vanish with its mount namespace when it exits.
func startKubelet(t *testing.T, st systemTools, runtime, otlp string) kubelet {
	t.Helper()
	dir := t.TempDir()
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatalf("creating %s: %v", p, err)
		}
		return p
	}
	k := kubelet{manifests: mk("manifests"), readOnly: loopback(freePort(t))}
	roPort, _ := strconv.Atoi(strings.TrimPrefix(k.readOnly, "127.0.0.1:"))
	cfg := writeTemplate(t, kubeletConfig, map[string]any{
		"Manifests": k.manifests, "Runtime": runtime, "Port": freePort(t), "ReadOnlyPort": roPort,
		"HealthzPort": freePort(t), "PodLogs": mk("pod-logs"), "VolumePlugins": mk("volume-plugins"), "OTLP": otlp,
	}, dir, "kubelet.yaml")

	var script strings.Builder
	script.WriteString("set -e\n")
	sysctlDir := mk("sysctl")
	for key, value := range kubeletSysctls {
		f := filepath.Join(sysctlDir, strings.ReplaceAll(key, "/", "."))
		if err := os.WriteFile(f, []byte(value+"\n"), 0o644); err != nil {
			t.Fatalf("writing %s: %v", f, err)
		}
		fmt.Fprintf(&script, "%s --bind %s /proc/sys/%s\n", st.Mount, strconv.Quote(f), key)
	}
	fmt.Fprintf(&script, "%s --bind %s /var/lib\n", st.Mount, strconv.Quote(mk("var-lib")))
	fmt.Fprintf(&script, "%s --bind %s /var/log\n", st.Mount, strconv.Quote(mk("var-log")))
	fmt.Fprintf(&script, "exec %s --config %s --root-dir %s --cert-dir %s --hostname-override %s --v=2\n",
		strconv.Quote(st.Kubelet), strconv.Quote(cfg), strconv.Quote(mk("root")), strconv.Quote(mk("pki")), nodeName)

	// unshare without --fork execs sh, which execs kubelet: one pid.
	k.Process = start(t, "kubelet", filepath.Join(dir, "kubelet.log"), []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
		st.Unshare, "--mount", "--propagation", "private", "sh", "-c", script.String())
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
