package validate_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
	kubeadm "k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/v1beta3"
	kind "sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/crio-trace/crio-trace/deploy/validate"
)

// Paths on the kind nodes the recipe's files agree on.
const (
	crioTraceSocket   = "unix:///run/crio-trace/crio-trace.sock"
	crioTraceBinary   = "/usr/local/bin/crio-trace"
	crioTraceConfig   = "/etc/crio-trace/crio-trace.conf"
	crioTraceUnit     = "/etc/systemd/system/crio-trace.service"
	kubeletDropIn     = "/etc/systemd/system/kubelet.service.d/05-crio-trace.conf"
	containerdDropIn  = "/etc/systemd/system/containerd.service.d/10-tracing.conf"
	apiserverTracing  = "/etc/kubernetes/tracing/apiserver-tracing.yaml"
	nodeLocalOTLP     = "127.0.0.1:4317"
	everySpanPerMille = 1000000
)

// kindConfig decodes deploy/kind/cluster.yaml strictly, as kind does.
func kindConfig(t *testing.T) kind.Cluster {
	t.Helper()
	d := docs(t, "deploy/kind/cluster.yaml")
	if len(d) != 1 {
		t.Fatalf("cluster.yaml holds %d documents, kind reads one", len(d))
	}
	var c kind.Cluster
	if err := validate.Strict(d[0], &c); err != nil {
		t.Fatalf("cluster.yaml: %v", err)
	}
	if c.APIVersion != "kind.x-k8s.io/v1alpha4" || c.Kind != "Cluster" {
		t.Fatalf("cluster.yaml is %s/%s, want kind.x-k8s.io/v1alpha4 Cluster", c.APIVersion, c.Kind)
	}
	return c
}

// kubeadmPatches decodes every kubeadmConfigPatches entry strictly into the
// type kind patches with it, keyed by kind.
type kubeadmPatches struct {
	init    []kubeadm.InitConfiguration
	join    []kubeadm.JoinConfiguration
	cluster []kubeadm.ClusterConfiguration
	kubelet []kubeletv1beta1.KubeletConfiguration
}

func decodePatches(t *testing.T, patches []string) kubeadmPatches {
	t.Helper()
	var p kubeadmPatches
	for i, raw := range patches {
		doc := []byte(raw)
		m, err := validate.Meta(doc)
		if err != nil {
			// kind ignores a patch without apiVersion: a silent no-op.
			t.Errorf("kubeadmConfigPatches[%d]: %v (kind would ignore it)", i, err)
			continue
		}
		var into any
		switch m {
		case validate.TypeMeta{APIVersion: "kubeadm.k8s.io/v1beta3", Kind: "InitConfiguration"}:
			p.init = append(p.init, kubeadm.InitConfiguration{})
			into = &p.init[len(p.init)-1]
		case validate.TypeMeta{APIVersion: "kubeadm.k8s.io/v1beta3", Kind: "JoinConfiguration"}:
			p.join = append(p.join, kubeadm.JoinConfiguration{})
			into = &p.join[len(p.join)-1]
		case validate.TypeMeta{APIVersion: "kubeadm.k8s.io/v1beta3", Kind: "ClusterConfiguration"}:
			p.cluster = append(p.cluster, kubeadm.ClusterConfiguration{})
			into = &p.cluster[len(p.cluster)-1]
		case validate.TypeMeta{APIVersion: "kubelet.config.k8s.io/v1beta1", Kind: "KubeletConfiguration"}:
			p.kubelet = append(p.kubelet, kubeletv1beta1.KubeletConfiguration{})
			into = &p.kubelet[len(p.kubelet)-1]
		default:
			// kind v0.30 generates kubeadm v1beta3 documents; a patch with
			// another apiVersion matches nothing and is silently dropped.
			t.Errorf("kubeadmConfigPatches[%d] is %s: matches no document kind v0.30 generates", i, m)
			continue
		}
		if err := validate.Strict(doc, into); err != nil {
			t.Errorf("kubeadmConfigPatches[%d] (%s): %v", i, m.Kind, err)
		}
	}
	return p
}

func TestKindCluster(t *testing.T) {
	c := kindConfig(t)
	p := decodePatches(t, c.KubeadmConfigPatches)

	if len(c.Nodes) < 2 {
		t.Errorf("cluster.yaml has %d nodes, want a control plane and at least one worker", len(c.Nodes))
	}
	wantMounts := map[string]string{
		crioTraceBinary:  "bin/crio-trace",
		crioTraceUnit:    "deploy/kind/crio-trace.service",
		kubeletDropIn:    "deploy/kind/kubelet-crio-trace.conf",
		containerdDropIn: "deploy/kind/containerd-tracing.conf",
		crioTraceConfig:  "deploy/kind/crio-trace.conf",
		apiserverTracing: "deploy/kind/apiserver-tracing.yaml",
	}
	for i, n := range c.Nodes {
		t.Run(fmt.Sprintf("node %d %s", i, n.Role), func(t *testing.T) {
			if !strings.HasPrefix(n.Image, "kindest/node:v1.34.") || !strings.Contains(n.Image, "@sha256:") {
				t.Errorf("node image %q: want kindest/node:v1.34.x pinned by digest", n.Image)
			}
			got := map[string]string{}
			for _, m := range n.ExtraMounts {
				got[m.ContainerPath] = m.HostPath
				if !m.Readonly {
					t.Errorf("mount %s is writable; the node only reads it", m.ContainerPath)
				}
				// bin/crio-trace is built by up.sh; everything else is in git.
				if m.HostPath == "bin/crio-trace" {
					continue
				}
				if _, err := os.Stat(filepath.Join(repoRoot, m.HostPath)); err != nil {
					t.Errorf("mount %s: host path %q: %v", m.ContainerPath, m.HostPath, err)
				}
			}
			for cp, hp := range wantMounts {
				if got[cp] != hp {
					t.Errorf("mount at %s comes from %q, want %q", cp, got[cp], hp)
				}
			}
		})
	}

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"init config points kubelet at crio-trace", func(t *testing.T) {
			if len(p.init) != 1 || p.init[0].NodeRegistration.CRISocket != crioTraceSocket {
				t.Errorf("InitConfiguration patches %+v: want one with criSocket %q", p.init, crioTraceSocket)
			}
		}},
		{"join config points kubelet at crio-trace", func(t *testing.T) {
			if len(p.join) != 1 || p.join[0].NodeRegistration.CRISocket != crioTraceSocket {
				t.Errorf("JoinConfiguration patches %+v: want one with criSocket %q", p.join, crioTraceSocket)
			}
		}},
		{"kubelet runtime endpoint and tracing", func(t *testing.T) {
			if len(p.kubelet) != 1 {
				t.Fatalf("%d KubeletConfiguration patches, want 1", len(p.kubelet))
			}
			k := p.kubelet[0]
			if k.ContainerRuntimeEndpoint != crioTraceSocket {
				t.Errorf("containerRuntimeEndpoint %q, want %q", k.ContainerRuntimeEndpoint, crioTraceSocket)
			}
			if k.Tracing == nil || k.Tracing.Endpoint == nil || *k.Tracing.Endpoint != nodeLocalOTLP ||
				k.Tracing.SamplingRatePerMillion == nil || *k.Tracing.SamplingRatePerMillion != everySpanPerMille {
				t.Errorf("kubelet tracing %+v: want endpoint %s, samplingRatePerMillion %d", k.Tracing, nodeLocalOTLP, everySpanPerMille)
			}
		}},
		{"API server reads the mounted tracing config", func(t *testing.T) {
			if len(p.cluster) != 1 {
				t.Fatalf("%d ClusterConfiguration patches, want 1", len(p.cluster))
			}
			as := p.cluster[0].APIServer
			if got := as.ExtraArgs["tracing-config-file"]; got != apiserverTracing {
				t.Errorf("apiServer tracing-config-file %q, want %q", got, apiserverTracing)
			}
			mounted := false
			for _, v := range as.ExtraVolumes {
				if strings.HasPrefix(apiserverTracing, v.MountPath+"/") && strings.HasPrefix(apiserverTracing, v.HostPath+"/") {
					mounted = true
				}
			}
			if !mounted {
				t.Errorf("apiServer extraVolumes %+v do not bring %s into the API server pod", as.ExtraVolumes, apiserverTracing)
			}
		}},
		{"etcd tracing flags", func(t *testing.T) {
			if len(p.cluster) != 1 || p.cluster[0].Etcd.Local == nil {
				t.Fatalf("no etcd.local in the ClusterConfiguration patch")
			}
			args := p.cluster[0].Etcd.Local.ExtraArgs
			want := map[string]string{
				"experimental-enable-distributed-tracing":        "true",
				"experimental-distributed-tracing-address":       nodeLocalOTLP,
				"experimental-distributed-tracing-sampling-rate": "1000000",
			}
			for k, v := range want {
				if args[k] != v {
					t.Errorf("etcd --%s=%q, want %q", k, args[k], v)
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}
