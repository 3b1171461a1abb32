package tracing_test

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// componentDefaults is what a component other than crio-trace starts from.
func componentDefaults() tracing.Config {
	c := tracing.DefaultConfig()
	c.ServiceName = "kvstore"
	c.SamplingRules = []string{"kvstore.v1.KV/Get=never"}
	return c
}

// TestLoaderPrecedence walks each setting up the ladder defaults <
// environment < file < flags < OTEL_SDK_DISABLED, one rung at a time, and
// checks that a table of another component in the same file is ignored.
func TestLoaderPrecedence(t *testing.T) {
	const file = `
[other.tracing]
enable_tracing = false
tracing_endpoint = "10.0.0.1:1"

[kvstore]
listen = "/run/kv.sock" # the component's own key, not the loader's

[kvstore.tracing]
tracing_endpoint = "127.0.0.1:5000"
tracing_sampling_rate_per_million = 10
`
	tests := []struct {
		name  string
		env   map[string]string
		file  string
		flags []string
		want  func(c tracing.Config) string // "" when right, else what is wrong
	}{
		{
			name: "defaults",
			want: func(c tracing.Config) string {
				return expect(c.Enabled == false && c.Endpoint == "127.0.0.1:4317" && c.ServiceName == "kvstore" &&
					len(c.SamplingRules) == 1, c)
			},
		},
		{
			name: "environment over defaults",
			env:  map[string]string{"OTEL_SERVICE_NAME": "kv-east", "OTEL_EXPORTER_OTLP_ENDPOINT": "127.0.0.1:6000"},
			want: func(c tracing.Config) string {
				return expect(c.ServiceName == "kv-east" && c.Endpoint == "127.0.0.1:6000" && !c.Enabled, c)
			},
		},
		{
			name: "file over environment, only the keys it sets",
			env:  map[string]string{"OTEL_SERVICE_NAME": "kv-east", "OTEL_EXPORTER_OTLP_ENDPOINT": "127.0.0.1:6000"},
			file: file,
			want: func(c tracing.Config) string {
				return expect(c.ServiceName == "kv-east" && c.Endpoint == "127.0.0.1:5000" && c.SamplingRatePerMillion == 10 && !c.Enabled, c)
			},
		},
		{
			name:  "flags over file, only those given",
			file:  file,
			flags: []string{"--enable-tracing", "--tracing-sampling-rate-per-million=20"},
			want: func(c tracing.Config) string {
				return expect(c.Enabled && c.Endpoint == "127.0.0.1:5000" && c.SamplingRatePerMillion == 20, c)
			},
		},
		{
			name:  "kill switch over flags",
			env:   map[string]string{"OTEL_SDK_DISABLED": "true"},
			file:  file + "enable_tracing = true\n",
			flags: []string{"--enable-tracing"},
			want: func(c tracing.Config) string {
				return expect(c.Enabled && c.SDKDisabled && !c.On(), c)
			},
		},
		{
			name: "file without the table keeps defaults and environment",
			env:  map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "127.0.0.1:6000"},
			file: "[kvstore]\nlisten = \"/x\"\n",
			want: func(c tracing.Config) string { return expect(c.Endpoint == "127.0.0.1:6000", c) },
		},
		{
			name: "an empty rules list in the file replaces the defaults",
			file: "[kvstore.tracing]\ntracing_sampling_rules = []\n",
			want: func(c tracing.Config) string { return expect(len(c.SamplingRules) == 0, c) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := loader(t, tc.env, tc.flags)
			var data []byte
			if tc.file != "" {
				data = []byte(tc.file)
			}
			c, err := l.Decode("kv.toml", data)
			if err != nil {
				t.Fatal(err)
			}
			if msg := tc.want(c); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// expect returns "" when ok, else c printed for the failure message.
func expect(ok bool, c tracing.Config) string {
	if ok {
		return ""
	}
	return "unexpected config: " + c.String() + " enabled=" + boolString(c.Enabled)
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// loader is a Loader for the [kvstore.tracing] table with env as the whole
// environment and args parsed as the command line.
func loader(t *testing.T, env map[string]string, args []string) tracing.Loader {
	t.Helper()
	fs := flag.NewFlagSet("kvstore", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fl := tracing.AddFlags(fs, "kvstore.tracing", componentDefaults())
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return tracing.Loader{
		Table:     "kvstore.tracing",
		Defaults:  componentDefaults(),
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Flags:     fl,
	}
}

// TestLoaderErrors checks that every way a configuration can be wrong is
// reported naming where: the file, the key with its table, the flag.
func TestLoaderErrors(t *testing.T) {
	tests := []struct {
		name    string
		table   string
		env     map[string]string
		file    string
		flags   []string
		wantErr []string
	}{
		{
			name:    "unknown key in the table",
			file:    "[kvstore.tracing]\ntracing_sampler = 1\nenable_tracing = true\n",
			wantErr: []string{"kv.toml", "unknown key(s) kvstore.tracing.tracing_sampler"},
		},
		{
			name:    "bad values, every one named with its table",
			file:    "[kvstore.tracing]\ntracing_sampling_rate_per_million = 2000000\ntracing_protocol = \"udp\"\n",
			wantErr: []string{"kvstore.tracing.tracing_sampling_rate_per_million = \"2000000\" is invalid", "kvstore.tracing.tracing_protocol = \"udp\" is invalid"},
		},
		{
			name:    "wrong type",
			file:    "[kvstore.tracing]\nenable_tracing = \"yes\"\n",
			wantErr: []string{"kv.toml", "[kvstore.tracing]", "enable_tracing"},
		},
		{
			name:    "table is a value",
			file:    "[kvstore]\ntracing = 3\n",
			wantErr: []string{"kvstore.tracing must be a table ([kvstore.tracing]), found a value of type Integer"},
		},
		{
			name:    "not TOML",
			file:    "[kvstore.tracing\n",
			wantErr: []string{"parsing config file kv.toml"},
		},
		{
			name:    "rate flag out of range",
			flags:   []string{"--tracing-sampling-rate-per-million=-1"},
			wantErr: []string{"--tracing-sampling-rate-per-million = -1 is invalid: accepted an integer from 0 to 1000000"},
		},
		{
			name:    "bad environment",
			env:     map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "udp"},
			wantErr: []string{"reading environment", "OTEL_EXPORTER_OTLP_PROTOCOL"},
		},
		{
			name:    "no table name",
			table:   "kvstore..tracing",
			wantErr: []string{`tracing.Loader.Table = "kvstore..tracing" is invalid`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := loader(t, tc.env, tc.flags)
			if tc.table != "" {
				l.Table = tc.table
			}
			var data []byte
			if tc.file != "" {
				data = []byte(tc.file)
			}
			_, err := l.Decode("kv.toml", data)
			if err == nil {
				t.Fatalf("want an error containing %q, got none", tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestLoaderFieldErrors checks that invalid values stay *FieldError values,
// with the table in the key, so a component can act on them.
func TestLoaderFieldErrors(t *testing.T) {
	l := loader(t, nil, nil)
	_, err := l.Decode("kv.toml", []byte("[kvstore.tracing]\ntracing_export_queue_size = 0\n"))
	var fe *tracing.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("want a *tracing.FieldError, got %v", err)
	}
	if fe.Key != "kvstore.tracing.tracing_export_queue_size" {
		t.Errorf("key %q, want kvstore.tracing.tracing_export_queue_size", fe.Key)
	}
}

// TestLoaderLoad reads a real file, and names a missing one.
func TestLoaderLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kv.toml")
	if err := os.WriteFile(path, []byte("[kvstore.tracing]\nenable_tracing = true\ntracing_export_interval = \"250ms\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l := loader(t, nil, nil)
	c, err := l.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Enabled || c.ExportInterval.String() != "250ms" {
		t.Errorf("loaded %s enabled=%v, want enabled with a 250ms export interval", c, c.Enabled)
	}
	if c, err := l.Load(""); err != nil || c.Enabled {
		t.Errorf("Load(\"\") = enabled %v, %v; want the defaults", c.Enabled, err)
	}
	if _, err := l.Load(filepath.Join(t.TempDir(), "missing.toml")); err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Errorf("missing file: %v, want an error naming it", err)
	}
}

// TestAddFlagsHelp checks that the help names the component's table and
// shows its defaults.
func TestAddFlagsHelp(t *testing.T) {
	fs := flag.NewFlagSet("kvstore", flag.ContinueOnError)
	var out strings.Builder
	fs.SetOutput(&out)
	def := componentDefaults()
	def.Endpoint = "127.0.0.1:4999"
	tracing.AddFlags(fs, "kvstore.tracing", def)
	fs.PrintDefaults()
	for _, w := range []string{"-enable-tracing", "[kvstore.tracing] enable_tracing", "-tracing-endpoint ADDRESS", `(default "127.0.0.1:4999")`, "-tracing-sampling-rate-per-million 0..1000000"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("help lacks %q:\n%s", w, out.String())
		}
	}
}
