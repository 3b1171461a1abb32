package systems_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/crio-trace/crio-trace/internal/systemdunit"
)

// kindDir is the kind recipe, relative to the repository root.
const kindDir = "deploy/kind"

// kindRecipe is what deploy/kind/cluster.yaml tells a node to run, read the
// way kind and kubeadm read it: the files kind mounts into the node, and the
// kubeadm patches for kubelet, the API server and etcd. The cluster test
// runs these files and flags (rendered for loopback ports and temporary
// paths), so a mistake in the recipe fails a run, not only a decode.
type kindRecipe struct {
	root string // the repository root; hostPath entries are relative to it
	// mounts maps a node path (extraMounts containerPath) to the file in the
	// repository (hostPath) that kind mounts there. Every node of the recipe
	// must mount the same files.
	mounts map[string]string
	// criSocket is nodeRegistration.criSocket of the Init and Join
	// configurations (they must agree).
	criSocket string
	// kubeletPatch is the KubeletConfiguration patch document.
	kubeletPatch string
	// apiServerArgs and etcdArgs are the extraArgs kubeadm turns into
	// --key=value flags.
	apiServerArgs, etcdArgs map[string]string
	// apiServerVolumes maps a path in the API server's pod (mountPath) to
	// the node path mounted there (hostPath).
	apiServerVolumes map[string]string
}

// kindCluster is the part of kind's v1alpha4.Cluster the recipe uses;
// deploy/validate decodes the whole file strictly with kind's own types.
type kindCluster struct {
	Nodes []struct {
		Role        string `json:"role"`
		ExtraMounts []struct {
			HostPath      string `json:"hostPath"`
			ContainerPath string `json:"containerPath"`
		} `json:"extraMounts"`
		KubeadmConfigPatches []string `json:"kubeadmConfigPatches"`
	} `json:"nodes"`
	KubeadmConfigPatches []string `json:"kubeadmConfigPatches"`
}

// kubeadmPatch is the part of a kubeadm patch document the recipe uses.
type kubeadmPatch struct {
	Kind             string `json:"kind"`
	NodeRegistration struct {
		CRISocket string `json:"criSocket"`
	} `json:"nodeRegistration"`
	APIServer struct {
		ExtraArgs    map[string]string `json:"extraArgs"`
		ExtraVolumes []struct {
			HostPath  string `json:"hostPath"`
			MountPath string `json:"mountPath"`
		} `json:"extraVolumes"`
	} `json:"apiServer"`
	Etcd struct {
		Local struct {
			ExtraArgs map[string]string `json:"extraArgs"`
		} `json:"local"`
	} `json:"etcd"`
}

// loadKindRecipe reads deploy/kind/cluster.yaml under root.
func loadKindRecipe(root string) (kindRecipe, error) {
	path := filepath.Join(root, kindDir, "cluster.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return kindRecipe{}, err
	}
	var c kindCluster
	if err := yaml.Unmarshal(data, &c); err != nil {
		return kindRecipe{}, fmt.Errorf("%s: %w", path, err)
	}
	r := kindRecipe{root: root, mounts: map[string]string{}, apiServerVolumes: map[string]string{}}
	if len(c.Nodes) == 0 {
		return r, fmt.Errorf("%s: no nodes", path)
	}
	for i, n := range c.Nodes {
		if len(n.KubeadmConfigPatches) > 0 {
			return r, fmt.Errorf("%s: nodes[%d] has its own kubeadmConfigPatches; the cluster test applies only the cluster-wide ones", path, i)
		}
		got := map[string]string{}
		for _, m := range n.ExtraMounts {
			got[m.ContainerPath] = m.HostPath
		}
		if i == 0 {
			r.mounts = got
		} else if fmt.Sprint(got) != fmt.Sprint(r.mounts) {
			return r, fmt.Errorf("%s: nodes[%d] (%s) mounts %v, nodes[0] mounts %v; the cluster test runs one node and needs them equal", path, i, n.Role, got, r.mounts)
		}
	}
	for i, doc := range c.KubeadmConfigPatches {
		if err := r.addPatch(doc); err != nil {
			return r, fmt.Errorf("%s: kubeadmConfigPatches[%d]: %w", path, i, err)
		}
	}
	var missing []string
	if r.kubeletPatch == "" {
		missing = append(missing, "KubeletConfiguration")
	}
	if r.criSocket == "" {
		missing = append(missing, "InitConfiguration nodeRegistration.criSocket")
	}
	if r.apiServerArgs == nil {
		missing = append(missing, "ClusterConfiguration apiServer.extraArgs")
	}
	if r.etcdArgs == nil {
		missing = append(missing, "ClusterConfiguration etcd.local.extraArgs")
	}
	if len(missing) > 0 {
		return r, fmt.Errorf("%s: no %s patch", path, strings.Join(missing, ", no "))
	}
	return r, nil
}

// addPatch takes in one kubeadm patch document.
func (r *kindRecipe) addPatch(doc string) error {
	var p kubeadmPatch
	if err := yaml.Unmarshal([]byte(doc), &p); err != nil {
		return err
	}
	switch p.Kind {
	case "InitConfiguration", "JoinConfiguration":
		s := p.NodeRegistration.CRISocket
		if r.criSocket != "" && s != r.criSocket {
			return fmt.Errorf("%s criSocket %q differs from %q", p.Kind, s, r.criSocket)
		}
		r.criSocket = s
	case "KubeletConfiguration":
		r.kubeletPatch = doc
	case "ClusterConfiguration":
		r.apiServerArgs = p.APIServer.ExtraArgs
		r.etcdArgs = p.Etcd.Local.ExtraArgs
		for _, v := range p.APIServer.ExtraVolumes {
			r.apiServerVolumes[v.MountPath] = v.HostPath
		}
	default:
		return fmt.Errorf("kind %q: the cluster test does not know how to apply it", p.Kind)
	}
	return nil
}

// nodeFile returns the repository file kind mounts at the node path p
// (exactly, or inside a mounted directory).
func (r kindRecipe) nodeFile(p string) (string, error) {
	for dst, src := range r.mounts {
		if p == dst || strings.HasPrefix(p, dst+"/") {
			return filepath.Join(r.root, src, strings.TrimPrefix(p, dst)), nil
		}
	}
	return "", fmt.Errorf("node path %q is not mounted by any extraMounts entry of %s/cluster.yaml", p, kindDir)
}

// apiServerFile returns the repository file behind path p inside the API
// server's static pod: extraVolumes lead to the node, extraMounts to the
// repository.
func (r kindRecipe) apiServerFile(p string) (string, error) {
	for mount, host := range r.apiServerVolumes {
		if p == mount || strings.HasPrefix(p, mount+"/") {
			return r.nodeFile(host + strings.TrimPrefix(p, mount))
		}
	}
	return "", fmt.Errorf("API server path %q is not inside any apiServer.extraVolumes mountPath", p)
}

// nodeUnit reads the systemd unit or drop-in kind mounts at node path p.
func (r kindRecipe) nodeUnit(p string) (systemdunit.Unit, error) {
	f, err := r.nodeFile(p)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(f)
	if err != nil {
		return nil, err
	}
	u, err := systemdunit.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	return u, nil
}

// nodeUnitsUnder lists the node paths of mounted files in directory dir.
func (r kindRecipe) nodeUnitsUnder(dir string) []string {
	var out []string
	for dst := range r.mounts {
		if filepath.Dir(dst) == dir {
			out = append(out, dst)
		}
	}
	slices.Sort(out)
	return out
}

// errNoUnit says the recipe mounts no unit a step needs.
var errNoUnit = errors.New("no such unit mounted")
