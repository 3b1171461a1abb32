package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"text/template"
)

// containerdConfig is the input of configTemplate.
type containerdConfig struct {
	Root, State, Socket, Runc, RuncRoot, OptDir string
	CNIBinDir, CNIConfDir, CertsDir             string
	SandboxImage                                string
	// Extra is appended verbatim: TOML tables of plugins the template does
	// not configure (see ContainerdOptions.ExtraConfig).
	Extra string
}

// configTemplate is a containerd 1.6 (config version 2) configuration that
// keeps everything under the harness's temporary root. Measured on the
// reference machine: root lacks CAP_SYS_RESOURCE, so restrict_oom_score_adj
// must be on; there is no systemd, so runc uses cgroupfs.
var configTemplate = template.Must(template.New("config.toml").Funcs(template.FuncMap{"q": strconv.Quote}).Parse(`
version = 2
root = {{q .Root}}
state = {{q .State}}
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = {{q .Socket}}

[plugins."io.containerd.internal.v1.opt"]
  path = {{q .OptDir}}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = {{q .SandboxImage}}
  restrict_oom_score_adj = true
  # Pod network namespaces are pinned under state, not /run/netns, so
  # nothing of a test outlives its root.
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = {{q .Runc}}
        Root = {{q .RuncRoot}}
        SystemdCgroup = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = {{q .CNIBinDir}}
    conf_dir = {{q .CNIConfDir}}

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = {{q .CertsDir}}
{{if .Extra}}
{{.Extra}}
{{end}}`))

// writeConfig writes the config file to path.
func writeConfig(path string, cfg containerdConfig) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating containerd config: %w", err)
	}
	if err := configTemplate.Execute(f, cfg); err != nil {
		f.Close()
		return fmt.Errorf("writing containerd config: %w", err)
	}
	return f.Close()
}

// mirroredHosts are the registries whose pulls the loopback registry
// answers: the sandbox image and critest use registry.k8s.io names, and
// critest's image tests gcr.io/k8s-staging-cri-tools ones.
var mirroredHosts = []string{"registry.k8s.io", "gcr.io"}

// writeHosts writes certs.d/<host>/hosts.toml sending every mirrored host,
// and the registry's own address, to the loopback registry over plain HTTP.
func writeHosts(certsDir, registryAddr string) error {
	return writeHostsFor(certsDir, registryAddr, append([]string{registryAddr}, mirroredHosts...))
}

// writeHostsFor writes certs.d/<host>/hosts.toml sending every one of hosts
// to registryAddr over plain HTTP.
func writeHostsFor(certsDir, registryAddr string, hosts []string) error {
	body := fmt.Sprintf("server = %q\n\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n",
		"http://"+registryAddr, "http://"+registryAddr)
	for _, h := range hosts {
		dir := filepath.Join(certsDir, h)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating hosts dir for %q: %w", h, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "hosts.toml"), []byte(body), 0o644); err != nil {
			return fmt.Errorf("writing hosts.toml for %q: %w", h, err)
		}
	}
	return nil
}
