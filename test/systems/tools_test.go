package systems_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/test/harness"
)

// buildScript builds the systems' tools; relative to the repository root.
const buildScript = "hack/systems/build-tools.sh"

// systemTools are the binaries hack/systems/build-tools.sh provides.
type systemTools struct {
	Kubelet, Containerd, Otelcol, Jaeger, Prometheus string
	// The control plane, from the same build as kubelet, and etcd.
	KubeAPIServer, KubeControllerManager, KubeScheduler, Kubectl, Etcd string
	// CrioTrace is the daemon, built from this repository for the run.
	CrioTrace string
	// Unshare, Mount and Nsenter give kubelet and containerd their own
	// mount namespace.
	Unshare, Mount, Nsenter string
}

// requireSystems fails t (or skips it with CRIO_TRACE_E2E=skip), naming
// every missing tool and the command that builds it.
func requireSystems(t *testing.T) (harness.Tools, systemTools) {
	t.Helper()
	harness.RequireRoot(t)
	ht := harness.FindTools(t)
	out, err := exec.Command("bash", filepath.Join(ht.RepoRoot, buildScript), "--print-bin-dir").Output()
	if err != nil {
		t.Fatalf("asking %s for its bin dir: %v", buildScript, err)
	}
	bin := string(bytes.TrimSpace(out))
	st := systemTools{
		Kubelet:    filepath.Join(bin, "kubelet"),
		Containerd: filepath.Join(bin, "containerd"),
		Otelcol:    filepath.Join(bin, "otelcol"),
		Jaeger:     filepath.Join(bin, "jaeger"),
		Prometheus: filepath.Join(bin, "prometheus"),

		KubeAPIServer:         filepath.Join(bin, "kube-apiserver"),
		KubeControllerManager: filepath.Join(bin, "kube-controller-manager"),
		KubeScheduler:         filepath.Join(bin, "kube-scheduler"),
		Kubectl:               filepath.Join(bin, "kubectl"),
		Etcd:                  filepath.Join(bin, "etcd"),
	}
	var missing []string
	for name, p := range map[string]string{"kubelet": st.Kubelet, "containerd (upstream, with tracing)": st.Containerd,
		"otelcol": st.Otelcol, "jaeger": st.Jaeger, "prometheus": st.Prometheus,
		"kube-apiserver": st.KubeAPIServer, "kube-controller-manager": st.KubeControllerManager,
		"kube-scheduler": st.KubeScheduler, "kubectl": st.Kubectl, "etcd": st.Etcd} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o111 == 0 {
			missing = append(missing, fmt.Sprintf("%s: %s not executable (%v)", name, p, err))
		}
	}
	for name, dst := range map[string]*string{"unshare": &st.Unshare, "mount": &st.Mount, "nsenter": &st.Nsenter} {
		p, err := exec.LookPath(name)
		if err != nil {
			missing = append(missing, fmt.Sprintf("%s (util-linux): %v", name, err))
		}
		*dst = p
	}
	if len(missing) > 0 {
		t.Fatalf("systems-test tools missing:\n  %s\nbuild them (as root) with:\n  %s\nor set %s=skip to skip this test",
			strings.Join(missing, "\n  "), filepath.Join(ht.RepoRoot, buildScript), harness.E2EEnv)
	}
	st.CrioTrace = testutil.DaemonBinary(t)
	return ht, st
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago. The
// programs started here take ports on their command line or in config
// files, so the port is closed again before they bind it.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// loopback formats 127.0.0.1:port.
func loopback(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }
