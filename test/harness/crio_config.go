package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"text/template"
)

// crioConfig is the input of crioTemplate. Every path is under the
// harness's temporary root.
type crioConfig struct {
	Root, RunRoot, LogDir, StateDir, Socket             string
	Pinns, NamespacesDir, ExitsDir, AttachDir, HooksDir string
	CDIDir, KeysDir, IrqbalanceFile, IrqbalanceRestore  string
	RuncWrapper, Runc, Conmon, RuncRoot, MonitorPath    string
	CNIBinDir, CNIConfDir, SignaturePolicy, PauseImage  string
	// Tracing, when set, is the OTLP gRPC endpoint (host:port) CRI-O
	// exports its own spans to, every span sampled.
	Tracing string
	// Extra is appended verbatim (see CrioOptions.ExtraConfig).
	Extra string
}

// crioTemplate is a CRI-O 1.34 configuration that keeps everything under
// the harness's temporary root (the keys are those of CRI-O's
// pkg/config/config.go). Measured on the reference machine: there is no
// systemd, so cgroups are cgroupfs and conmon joins the pod's cgroup; root
// lacks CAP_SYS_RESOURCE, so runc is reached through the project's wrapper
// hack/runc-oom, which raises the infra container's oom_score_adj of -998
// to what root may set (containerd's restrict_oom_score_adj does the same).
// Metrics and NRI are off so that nothing listens on a fixed port or
// socket outside the root; host port mapping is off because it needs
// iptables or nft, which the machines lack (and pods must not touch the
// host's firewall).
var crioTemplate = template.Must(template.New("crio.conf").Funcs(template.FuncMap{"q": strconv.Quote}).Parse(`
[crio]
root = {{q .Root}}
runroot = {{q .RunRoot}}
storage_driver = "overlay"
log_dir = {{q .LogDir}}
version_file = {{q (print .StateDir "/version")}}
version_file_persist = {{q (print .StateDir "/version-persist")}}
clean_shutdown_file = {{q (print .StateDir "/clean.shutdown")}}

[crio.api]
listen = {{q .Socket}}
stream_address = "127.0.0.1"
stream_port = "0"

[crio.runtime]
default_runtime = "runc"
cgroup_manager = "cgroupfs"
pinns_path = {{q .Pinns}}
namespaces_dir = {{q .NamespacesDir}}
container_exits_dir = {{q .ExitsDir}}
container_attach_socket_dir = {{q .AttachDir}}
hooks_dir = [{{q .HooksDir}}]
cdi_spec_dirs = [{{q .CDIDir}}]
decryption_keys_path = {{q .KeysDir}}
irqbalance_config_file = {{q .IrqbalanceFile}}
irqbalance_config_restore_file = {{q .IrqbalanceRestore}}
default_mounts_file = ""
enable_criu_support = false
# No iptables or nft on the test machines, and pods must not change the
# host's firewall: CRI-O refuses to start without one unless this is set.
disable_hostport_mapping = true

[crio.runtime.runtimes.runc]
runtime_path = {{q .RuncWrapper}}
runtime_type = "oci"
runtime_root = {{q .RuncRoot}}
monitor_path = {{q .Conmon}}
monitor_cgroup = "pod"
monitor_env = [{{q (print "PATH=" .MonitorPath)}}, {{q (print "CRIO_TRACE_RUNC=" .Runc)}}]

[crio.image]
pause_image = {{q .PauseImage}}
signature_policy = {{q .SignaturePolicy}}
# Namespaced policies; CRI-O creates this directory at start-up.
signature_policy_dir = {{q (print .StateDir "/policies")}}

[crio.network]
network_dir = {{q .CNIConfDir}}
plugin_dirs = [{{q .CNIBinDir}}]

[crio.metrics]
enable_metrics = false

[crio.nri]
enable_nri = false
{{if .Tracing}}
[crio.tracing]
enable_tracing = true
tracing_endpoint = {{q .Tracing}}
tracing_sampling_rate_per_million = 1000000
{{end}}
{{if .Extra}}
{{.Extra}}
{{end}}`))

// writeCrioConfig writes the CRI-O config file to path.
func writeCrioConfig(path string, cfg crioConfig) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating CRI-O config: %w", err)
	}
	if err := crioTemplate.Execute(f, cfg); err != nil {
		f.Close()
		return fmt.Errorf("writing CRI-O config: %w", err)
	}
	return f.Close()
}

// insecureAcceptAnything is a containers-policy.json(5) that accepts every
// image unsigned: the loopback registry's images carry no signatures.
const insecureAcceptAnything = `{"default": [{"type": "insecureAcceptAnything"}]}` + "\n"

// writeRegistries writes a containers-registries.conf(5) in dir that marks
// the loopback registry insecure (plain HTTP) and rewrites every host of
// mirroredHosts to it, as containerd's hosts.toml does (writeHosts), plus
// an empty drop-in directory, so the host's /etc/containers is not read.
// A rewrite, not a mirror: with a mirror, an image the loopback registry
// lacks would be looked up at the real host too, and the machine may not
// even resolve its name. It returns the file's and the drop-in directory's
// paths.
func writeRegistries(dir, registryAddr string) (conf, confDir string, err error) {
	conf = filepath.Join(dir, "registries.conf")
	confDir = filepath.Join(dir, "registries.conf.d")
	if err := os.MkdirAll(confDir, 0o755); err != nil {
		return "", "", fmt.Errorf("creating registries.conf.d: %w", err)
	}
	body := "unqualified-search-registries = []\nshort-name-mode = \"disabled\"\n"
	for _, prefix := range append([]string{registryAddr}, mirroredHosts...) {
		body += fmt.Sprintf("\n[[registry]]\nprefix = %q\nlocation = %q\ninsecure = true\n", prefix, registryAddr)
	}
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		return "", "", fmt.Errorf("writing registries.conf: %w", err)
	}
	return conf, confDir, nil
}
