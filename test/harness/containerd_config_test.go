package harness

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestWriteConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := containerdConfig{
		Root: dir + "/root", State: dir + "/state", Socket: dir + "/c.sock", Runc: "/usr/sbin/runc",
		RuncRoot: dir + "/runc", OptDir: dir + "/opt", CNIBinDir: dir + "/cni/bin",
		CNIConfDir: dir + "/cni/net.d", CertsDir: dir + "/certs.d", SandboxImage: PauseImage,
	}
	p := filepath.Join(dir, "config.toml")
	if err := writeConfig(p, cfg); err != nil {
		t.Fatalf("writeConfig: %v", err)
	}
	var got map[string]any
	if _, err := toml.DecodeFile(p, &got); err != nil {
		t.Fatalf("config is not TOML: %v", err)
	}
	cri := dig(t, got, "plugins", "io.containerd.grpc.v1.cri")
	runcOpts := dig(t, cri, "containerd", "runtimes", "runc", "options")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{name: "root", got: got["root"], want: cfg.Root},
		{name: "state", got: got["state"], want: cfg.State},
		{name: "socket", got: dig(t, got, "grpc")["address"], want: cfg.Socket},
		{name: "sandbox image", got: cri["sandbox_image"], want: PauseImage},
		{name: "oom score restricted", got: cri["restrict_oom_score_adj"], want: true},
		{name: "cgroupfs", got: runcOpts["SystemdCgroup"], want: false},
		{name: "runc root", got: runcOpts["Root"], want: cfg.RuncRoot},
		{name: "snapshotter", got: dig(t, cri, "containerd")["snapshotter"], want: "overlayfs"},
		{name: "registry hosts", got: dig(t, cri, "registry")["config_path"], want: cfg.CertsDir},
		{name: "cni conf dir", got: dig(t, cri, "cni")["conf_dir"], want: cfg.CNIConfDir},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

// TestWriteConfigExtra checks that extra tables land in the file as tables
// of their own, next to the harness's, and that none is written without.
func TestWriteConfigExtra(t *testing.T) {
	const extra = `[plugins."io.containerd.tracing.processor.v1.otlp"]
  endpoint = "127.0.0.1:4317"
  protocol = "grpc"`
	tests := []struct {
		name     string
		extra    string
		wantOTLP bool
	}{
		{name: "no extra config", extra: "", wantOTLP: false},
		{name: "tracing plugin tables", extra: extra, wantOTLP: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "config.toml")
			if err := writeConfig(p, containerdConfig{Socket: dir + "/c.sock", SandboxImage: PauseImage, Extra: tc.extra}); err != nil {
				t.Fatalf("writeConfig: %v", err)
			}
			var got map[string]any
			if _, err := toml.DecodeFile(p, &got); err != nil {
				t.Fatalf("config is not TOML: %v", err)
			}
			plugins := dig(t, got, "plugins")
			otlp, ok := plugins["io.containerd.tracing.processor.v1.otlp"].(map[string]any)
			if ok != tc.wantOTLP {
				t.Fatalf("otlp plugin table present = %v, want %v", ok, tc.wantOTLP)
			}
			if ok && otlp["protocol"] != "grpc" {
				t.Errorf("otlp protocol = %v, want grpc", otlp["protocol"])
			}
			if cri := dig(t, plugins, "io.containerd.grpc.v1.cri"); cri["sandbox_image"] != PauseImage {
				t.Errorf("cri sandbox_image = %v, want %q", cri["sandbox_image"], PauseImage)
			}
		})
	}
}

func TestWriteHosts(t *testing.T) {
	dir := t.TempDir()
	const addr = "127.0.0.1:5000"
	if err := writeHosts(dir, addr); err != nil {
		t.Fatalf("writeHosts: %v", err)
	}
	tests := []struct {
		name string
		host string
	}{
		{name: "critest and sandbox images", host: "registry.k8s.io"},
		{name: "the registry itself over plain HTTP", host: addr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got struct {
				Server string `toml:"server"`
				Host   map[string]struct {
					Capabilities []string `toml:"capabilities"`
				} `toml:"host"`
			}
			p := filepath.Join(dir, tc.host, "hosts.toml")
			if _, err := toml.DecodeFile(p, &got); err != nil {
				t.Fatalf("reading %s: %v", p, err)
			}
			if got.Server != "http://"+addr {
				t.Errorf("server = %q, want %q", got.Server, "http://"+addr)
			}
			if caps := got.Host["http://"+addr].Capabilities; strings.Join(caps, ",") != "pull,resolve" {
				t.Errorf("capabilities = %v, want [pull resolve]", caps)
			}
		})
	}
}

func TestSetupCNI(t *testing.T) {
	root := t.TempDir()
	plugin := filepath.Join(root, "plugin")
	if err := os.WriteFile(plugin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	binDir, confDir, err := setupCNI(root, Tools{CNILoopback: plugin})
	if err != nil {
		t.Fatalf("setupCNI: %v", err)
	}
	for _, name := range []string{cniNetwork, "loopback"} {
		if target, err := os.Readlink(filepath.Join(binDir, name)); err != nil || target != plugin {
			t.Errorf("%s links to %q (%v), want %q", name, target, err, plugin)
		}
	}
	var conf struct {
		Name    string
		Plugins []struct{ Type string }
	}
	data, err := os.ReadFile(filepath.Join(confDir, "10-"+cniNetwork+".conflist"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &conf); err != nil {
		t.Fatalf("conflist is not JSON: %v", err)
	}
	if conf.Name != cniNetwork || len(conf.Plugins) != 1 || conf.Plugins[0].Type != cniNetwork {
		t.Errorf("conflist = %+v, want one %s plugin", conf, cniNetwork)
	}
}

// dig walks nested TOML tables.
func dig(t *testing.T, m map[string]any, keys ...string) map[string]any {
	t.Helper()
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			t.Fatalf("no table %q in %v", k, m)
		}
		m = next
	}
	return m
}

// TestTracingConfigRatio checks the ratio lands as a TOML float (containerd
// rejects an integer there) with the endpoint and gRPC protocol.
func TestTracingConfigRatio(t *testing.T) {
	tests := []struct {
		name  string
		ratio float64
	}{
		{name: "every span", ratio: 1},
		{name: "none without a sampled parent", ratio: 0},
		{name: "a share", ratio: 0.25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got map[string]any
			if _, err := toml.Decode(TracingConfigRatio("127.0.0.1:4999", tc.ratio), &got); err != nil {
				t.Fatalf("not TOML: %v", err)
			}
			plugins := dig(t, got, "plugins")
			otlp := dig(t, plugins, "io.containerd.tracing.processor.v1.otlp")
			if otlp["endpoint"] != "127.0.0.1:4999" || otlp["protocol"] != "grpc" {
				t.Errorf("otlp processor = %v", otlp)
			}
			if r, ok := dig(t, plugins, "io.containerd.internal.v1.tracing")["sampling_ratio"].(float64); !ok || r != tc.ratio {
				t.Errorf("sampling_ratio = %v (a float: %v), want %v", r, ok, tc.ratio)
			}
		})
	}
}
