package systems_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/test/harness"
)

// testLayout is a node layout with addresses no real program listens on;
// the tests below only read what is rendered.
func testLayout(t *testing.T) nodeLayout {
	t.Helper()
	dir := t.TempDir()
	return nodeLayout{Collector: "127.0.0.1:1", Containerd: "unix://" + dir + "/c.sock", RunDir: dir + "/run/crio-trace", Dir: dir}
}

// loadRepoRecipe reads the repository's deploy/kind.
func loadRepoRecipe(t *testing.T) kindRecipe {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	r, err := loadKindRecipe(root)
	if err != nil {
		t.Fatalf("loading the kind recipe: %v", err)
	}
	return r
}

// TestKindRecipeRenders renders the repository's kind recipe for a loopback
// node, as the cluster test does, and checks what each component is given.
// The cluster test then runs these files; this one pins the translation.
func TestKindRecipeRenders(t *testing.T) {
	r := loadRepoRecipe(t)
	l := testLayout(t)

	argv, err := r.crioTraceCommand(l, "/bin/true")
	if err != nil {
		t.Fatalf("crio-trace command: %v", err)
	}
	conf := filepath.Join(l.Dir, "crio-trace.conf")
	if want := []string{"/bin/true", "--config", conf}; !slices.Equal(argv, want) {
		t.Errorf("crio-trace argv = %q, want %q", argv, want)
	}
	text := readFile(t, conf)
	for _, want := range []string{`listen = "` + l.RunDir + `/crio-trace.sock"`, `runtime_endpoint = "` + l.Containerd + `"`,
		`tracing_endpoint = "` + l.Collector + `"`, "enable_tracing = true"} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered crio-trace.conf lacks %s:\n%s", want, text)
		}
	}

	ctd, note, err := r.containerdTracing(l)
	if err != nil {
		t.Fatalf("containerd tracing: %v", err)
	}
	// The recipe samples parent-based, which containerd 1.6 cannot: ratio 1.
	if want := (harness.TracingSettings{Endpoint: l.Collector, Protocol: "grpc", Insecure: true, ServiceName: "containerd", SamplingRatio: 1}); ctd != want {
		t.Errorf("containerd tracing = %+v, want %+v", ctd, want)
	}
	if !strings.Contains(note, "cannot sample parent-based") {
		t.Errorf("containerd tracing note = %q, want it to say parent-based sampling does not translate", note)
	}

	dropIns := filepath.Join(l.Dir, "kubelet.conf.d")
	if err := r.kubeletDropIn(l, dropIns); err != nil {
		t.Fatalf("kubelet drop-in: %v", err)
	}
	text = readFile(t, filepath.Join(dropIns, "50-kind-recipe.conf"))
	for _, want := range []string{"containerRuntimeEndpoint: unix://" + l.RunDir + "/crio-trace.sock", "endpoint: " + l.Collector, "kind: KubeletConfiguration"} {
		if !strings.Contains(text, want) {
			t.Errorf("kubelet drop-in lacks %q:\n%s", want, text)
		}
	}

	api, err := l.flags("kube-apiserver", r.apiServerArgs, r.apiServerFile)
	if err != nil {
		t.Fatalf("API server flags: %v", err)
	}
	tracingFile := filepath.Join(l.Dir, "apiserver-tracing.yaml")
	if !slices.Contains(api, "--tracing-config-file="+tracingFile) {
		t.Errorf("API server flags %q lack --tracing-config-file=%s", api, tracingFile)
	}
	if text := readFile(t, tracingFile); !strings.Contains(text, "endpoint: "+l.Collector) {
		t.Errorf("rendered API server tracing file does not export to %s:\n%s", l.Collector, text)
	}

	etcd, err := l.flags("etcd", r.etcdArgs, r.nodeFile)
	if err != nil {
		t.Fatalf("etcd flags: %v", err)
	}
	for _, want := range []string{"--experimental-enable-distributed-tracing=true", "--experimental-distributed-tracing-address=" + l.Collector} {
		if !slices.Contains(etcd, want) {
			t.Errorf("etcd flags %q lack %s", etcd, want)
		}
	}
}

// TestRenderRejects: what the cluster test cannot map fails with the name
// of the file and what it names, instead of reaching the machine.
func TestRenderRejects(t *testing.T) {
	l := testLayout(t)
	tests := []struct {
		name, text, wantErr string
	}{
		{"unmapped socket", `runtime_endpoint = "unix:///run/cri-dockerd.sock"`, `node path "/run/cri-dockerd.sock"`},
		{"unmapped config path", "--config /etc/crio/crio.conf", `node path "/etc/crio/crio.conf"`},
		{"another loopback port", "endpoint: 127.0.0.1:4318", "names 127.0.0.1:4318"},
		{"comments are ignored", "# mounted at /etc/kubernetes/tracing\nendpoint: 127.0.0.1:4317", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.render("f", tc.text)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("render() = %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("render() error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestContainerdTracingRejects: OpenTelemetry variables the translation
// for containerd 1.6 does not know fail it, naming the variable.
func TestContainerdTracingRejects(t *testing.T) {
	tests := []struct {
		name, env, wantErr string
	}{
		{"unknown variable", `"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317" "OTEL_EXPORTER_OTLP_PROTOCOL=grpc" "OTEL_EXPORTER_OTLP_HEADERS=a=b"`, "OTEL_EXPORTER_OTLP_HEADERS"},
		{"unknown sampler", `"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317" "OTEL_EXPORTER_OTLP_PROTOCOL=grpc" "OTEL_TRACES_SAMPLER=jaeger_remote"`, "OTEL_TRACES_SAMPLER"},
		{"bad ratio", `"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317" "OTEL_EXPORTER_OTLP_PROTOCOL=grpc" "OTEL_TRACES_SAMPLER=parentbased_traceidratio" "OTEL_TRACES_SAMPLER_ARG=2"`, "OTEL_TRACES_SAMPLER_ARG"},
		{"bad protocol", `"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317" "OTEL_EXPORTER_OTLP_PROTOCOL=http/json"`, "OTEL_EXPORTER_OTLP_PROTOCOL"},
		{"no endpoint", `"OTEL_EXPORTER_OTLP_PROTOCOL=grpc"`, "must set OTEL_EXPORTER_OTLP_ENDPOINT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "10-tracing.conf"), []byte("[Service]\nEnvironment="+tc.env+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			r := kindRecipe{root: dir, mounts: map[string]string{containerdDropIns + "/10-tracing.conf": "10-tracing.conf"}}
			_, _, err := r.containerdTracing(testLayout(t))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("containerdTracing() error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestContainerdSamplers: samplers containerd 1.6 has translate exactly;
// parent-based ones become ratio 1, with a note.
func TestContainerdSamplers(t *testing.T) {
	tests := []struct {
		sampler, arg string
		want         float64
		noted        bool
	}{
		{"always_on", "", 1, false},
		{"always_off", "", 0, false},
		{"traceidratio", "0.25", 0.25, false},
		{"parentbased_traceidratio", "0.1", 1, true},
		{"parentbased_always_off", "", 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.sampler, func(t *testing.T) {
			dir := t.TempDir()
			env := `"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317" "OTEL_EXPORTER_OTLP_PROTOCOL=grpc" "OTEL_TRACES_SAMPLER=` + tc.sampler + `"`
			if tc.arg != "" {
				env += ` "OTEL_TRACES_SAMPLER_ARG=` + tc.arg + `"`
			}
			if err := os.WriteFile(filepath.Join(dir, "10-tracing.conf"), []byte("[Service]\nEnvironment="+env+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			r := kindRecipe{root: dir, mounts: map[string]string{containerdDropIns + "/10-tracing.conf": "10-tracing.conf"}}
			s, note, err := r.containerdTracing(testLayout(t))
			if err != nil {
				t.Fatal(err)
			}
			if s.SamplingRatio != tc.want || (note != "") != tc.noted {
				t.Errorf("ratio %v note %q, want ratio %v, note %t", s.SamplingRatio, note, tc.want, tc.noted)
			}
		})
	}
}
