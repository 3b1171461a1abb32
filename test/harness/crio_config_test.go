package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// testCrioConfig is a crioConfig with every path under dir.
func testCrioConfig(dir string) crioConfig {
	return crioConfig{
		Root: dir + "/storage", RunRoot: dir + "/run", LogDir: dir + "/logs", StateDir: dir + "/state",
		Socket: dir + "/crio.sock", Pinns: "/cache/pinns", NamespacesDir: dir + "/ns", ExitsDir: dir + "/exits",
		AttachDir: dir + "/attach", HooksDir: dir + "/hooks", CDIDir: dir + "/cdi", KeysDir: dir + "/keys",
		IrqbalanceFile: dir + "/state/irqbalance", IrqbalanceRestore: dir + "/state/irqbalance-restore",
		RuncWrapper: "/cache/runc-oom", Runc: "/usr/sbin/runc", Conmon: "/usr/bin/conmon", RuncRoot: dir + "/runc",
		MonitorPath: "/usr/bin:/usr/sbin", CNIBinDir: dir + "/cni/bin", CNIConfDir: dir + "/cni/net.d",
		SignaturePolicy: dir + "/policy.json", PauseImage: PauseImage,
	}
}

func TestWriteCrioConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := testCrioConfig(dir)
	p := filepath.Join(dir, "crio.conf")
	if err := writeCrioConfig(p, cfg); err != nil {
		t.Fatalf("writeCrioConfig: %v", err)
	}
	var got map[string]any
	if _, err := toml.DecodeFile(p, &got); err != nil {
		t.Fatalf("config is not TOML: %v", err)
	}
	crio := dig(t, got, "crio")
	runtime := dig(t, crio, "runtime")
	runc := dig(t, runtime, "runtimes", "runc")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{name: "root", got: crio["root"], want: cfg.Root},
		{name: "runroot", got: crio["runroot"], want: cfg.RunRoot},
		{name: "clean shutdown file under the root", got: crio["clean_shutdown_file"], want: dir + "/state/clean.shutdown"},
		{name: "socket", got: dig(t, crio, "api")["listen"], want: cfg.Socket},
		{name: "stream server on loopback", got: dig(t, crio, "api")["stream_address"], want: "127.0.0.1"},
		{name: "cgroupfs", got: runtime["cgroup_manager"], want: "cgroupfs"},
		{name: "default runtime", got: runtime["default_runtime"], want: "runc"},
		{name: "runc through the wrapper", got: runc["runtime_path"], want: cfg.RuncWrapper},
		{name: "conmon in the pod cgroup", got: runc["monitor_cgroup"], want: "pod"},
		{name: "runc root", got: runc["runtime_root"], want: cfg.RuncRoot},
		{name: "pause image", got: dig(t, crio, "image")["pause_image"], want: PauseImage},
		{name: "signature policy", got: dig(t, crio, "image")["signature_policy"], want: cfg.SignaturePolicy},
		{name: "cni conf dir", got: dig(t, crio, "network")["network_dir"], want: cfg.CNIConfDir},
		{name: "metrics off", got: dig(t, crio, "metrics")["enable_metrics"], want: false},
		{name: "nri off", got: dig(t, crio, "nri")["enable_nri"], want: false},
		{name: "no tracing table without an endpoint", got: crio["tracing"], want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	t.Run("wrapper finds runc", func(t *testing.T) {
		env, _ := runc["monitor_env"].([]any)
		want := runcEnv + "=" + cfg.Runc
		for _, e := range env {
			if e == want {
				return
			}
		}
		t.Errorf("monitor_env = %v, want it to hold %q", env, want)
	})
}

func TestWriteCrioConfigTracing(t *testing.T) {
	dir := t.TempDir()
	cfg := testCrioConfig(dir)
	cfg.Tracing = "127.0.0.1:43170"
	p := filepath.Join(dir, "crio.conf")
	if err := writeCrioConfig(p, cfg); err != nil {
		t.Fatalf("writeCrioConfig: %v", err)
	}
	var got map[string]any
	if _, err := toml.DecodeFile(p, &got); err != nil {
		t.Fatalf("config is not TOML: %v", err)
	}
	tr := dig(t, got, "crio", "tracing")
	if tr["enable_tracing"] != true || tr["tracing_endpoint"] != cfg.Tracing || tr["tracing_sampling_rate_per_million"] != int64(1000000) {
		t.Errorf("[crio.tracing] = %v, want tracing on, endpoint %s, every span sampled", tr, cfg.Tracing)
	}
}

func TestWriteRegistries(t *testing.T) {
	dir := t.TempDir()
	const addr = "127.0.0.1:5999"
	conf, confDir, err := writeRegistries(dir, addr)
	if err != nil {
		t.Fatalf("writeRegistries: %v", err)
	}
	if fi, err := os.Stat(confDir); err != nil || !fi.IsDir() {
		t.Errorf("drop-in directory %s: %v", confDir, err)
	}
	var got struct {
		Registry []struct {
			Prefix, Location string
			Insecure         bool
			Mirror           []any
		}
	}
	if _, err := toml.DecodeFile(conf, &got); err != nil {
		t.Fatalf("registries.conf is not TOML: %v", err)
	}
	routed := map[string]bool{}
	for _, r := range got.Registry {
		if r.Location != addr || !r.Insecure || len(r.Mirror) > 0 {
			t.Errorf("registry entry %+v: want location %s, insecure, no mirrors", r, addr)
			continue
		}
		routed[r.Prefix] = true
	}
	for _, h := range append([]string{addr}, mirroredHosts...) {
		if !routed[h] {
			t.Errorf("%s is not routed to the loopback registry over plain HTTP:\n%s", h, readFile(t, conf))
		}
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}
