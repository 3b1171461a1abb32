package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "crio-trace.conf")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// Uncommenting every key of the template must give back exactly the
// defaults: the template cannot drift from Default, and every key it shows
// is one Load accepts.
func TestTemplateRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, Default()); err != nil {
		t.Fatal(err)
	}
	file := uncommentTemplate(buf.String())
	got, err := Load(writeFile(t, file), env(nil))
	if err != nil {
		t.Fatalf("uncommented template does not load: %v\n%s", err, file)
	}
	if !reflect.DeepEqual(got, Default()) {
		t.Fatalf("uncommented template = %+v\nwant defaults %+v", got, Default())
	}
	if err := got.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}

// templateKey matches a commented-out key line of the template, or a line
// of its commented-out rules list.
var templateKey = regexp.MustCompile(`^# ([a-z_]+ = .*|  ".*",|\])$`)

// uncommentTemplate uncomments every key of a template WriteTemplate wrote.
func uncommentTemplate(template string) string {
	var out []string
	for _, l := range strings.Split(template, "\n") {
		if m := templateKey.FindStringSubmatch(l); m != nil {
			l = m[1]
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func TestLoadPrecedence(t *testing.T) {
	tests := []struct {
		name         string
		env          map[string]string
		file         string
		wantEndpoint string
		wantService  string
		wantOn       bool
	}{
		{name: "defaults", wantEndpoint: "127.0.0.1:4317", wantService: "crio-trace"},
		{name: "env over defaults", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9999", "OTEL_SERVICE_NAME": "envsvc"},
			wantEndpoint: "http://127.0.0.1:9999", wantService: "envsvc"},
		{name: "traces endpoint over generic", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:2"},
			wantEndpoint: "http://127.0.0.1:2", wantService: "crio-trace"},
		{name: "file over env", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9999", "OTEL_SERVICE_NAME": "envsvc"},
			file: "[crio.tracing]\ntracing_endpoint = \"127.0.0.1:5555\"\nenable_tracing = true\n", wantEndpoint: "127.0.0.1:5555", wantService: "envsvc", wantOn: true},
		{name: "commented template does not mask env", env: map[string]string{"OTEL_SERVICE_NAME": "envsvc"},
			file: "[crio.tracing]\n# tracing_service_name = \"crio-trace\"\n", wantEndpoint: "127.0.0.1:4317", wantService: "envsvc"},
		{name: "kill switch beats the file", env: map[string]string{"OTEL_SDK_DISABLED": "true"},
			file: "[crio.tracing]\nenable_tracing = true\n", wantEndpoint: "127.0.0.1:4317", wantService: "crio-trace", wantOn: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			c, err := Load(path, env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			tc := c.Crio.Tracing
			if tc.Endpoint != tt.wantEndpoint || tc.ServiceName != tt.wantService || tc.On() != tt.wantOn {
				t.Fatalf("got endpoint=%q service=%q on=%t, want %q %q %t", tc.Endpoint, tc.ServiceName, tc.On(), tt.wantEndpoint, tt.wantService, tt.wantOn)
			}
		})
	}
}

func TestLoadErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{
		{name: "unknown key", file: "[crio.tracing]\ntracing_endpiont = \"x:1\"\n", want: []string{"crio.tracing.tracing_endpiont", "unknown key"}},
		{name: "wrong type", file: "[crio.tracing]\nenable_tracing = \"yes\"\n", want: []string{"enable_tracing"}},
		{name: "bad duration", file: "[crio.tracing]\ntracing_export_timeout = \"soon\"\n", want: []string{"tracing_export_timeout", "duration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tt.file), env(nil))
			if err == nil {
				t.Fatal("Load accepted a bad file")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestValidateReportsEveryField(t *testing.T) {
	c := Default()
	c.Crio.Runtime.LogLevel = "loud"
	c.Crio.API.Listen = "relative.sock"
	c.Crio.Runtime.RuntimeEndpoint = "tcp://127.0.0.1:1"
	c.Crio.Tracing.SamplingRatePerMillion = 2_000_000
	c.Crio.Tracing.Protocol = "http/json"
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate accepted bad values")
	}
	for _, want := range []string{
		"crio.runtime.log_level", "debug, info, warn, error",
		"crio.api.listen", "crio.runtime.runtime_endpoint",
		"crio.tracing.tracing_sampling_rate_per_million", "0 to 1000000",
		"crio.tracing.tracing_protocol", `"grpc" or "http/protobuf"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

// TestTemplateQuotesForTOML: every string WriteTemplate writes reads back
// as TOML, control characters included (strconv.Quote wrote "\a", which
// TOML rejects; found by FuzzLoad). Bytes that are not UTF-8 cannot be in
// a TOML string and come back as U+FFFD.
func TestTemplateQuotesForTOML(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "crio-trace", "crio-trace"},
		{"bell and vertical tab", "a\ab\vc", "a\ab\vc"},
		{"quote and backslash", `a"b\c`, `a"b\c`},
		{"newline, tab, NUL and DEL", "a\nb\tc\x00d\x7f", "a\nb\tc\x00d\x7f"},
		{"non-ASCII", "sérvice-名", "sérvice-名"},
		{"not UTF-8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Crio.Tracing.ServiceName = tt.in
			var buf bytes.Buffer
			if err := WriteTemplate(&buf, c); err != nil {
				t.Fatal(err)
			}
			got, err := Load(writeFile(t, uncommentTemplate(buf.String())), env(nil))
			if err != nil {
				t.Fatalf("template with service name %q does not load: %v", tt.in, err)
			}
			if got.Crio.Tracing.ServiceName != tt.want {
				t.Fatalf("service name %q reads back as %q, want %q", tt.in, got.Crio.Tracing.ServiceName, tt.want)
			}
		})
	}
}
