package tracing

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidateNamesEveryBadField(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string // key, then fragments of the accepted values
	}{
		{name: "endpoint without port", mutate: func(c *Config) { c.Endpoint = "collector" }, want: []string{"tracing_endpoint", "host:port"}},
		{name: "endpoint with bad port", mutate: func(c *Config) { c.Endpoint = "127.0.0.1:70000" }, want: []string{"tracing_endpoint"}},
		{name: "endpoint with bad scheme", mutate: func(c *Config) { c.Endpoint = "ftp://127.0.0.1:1" }, want: []string{"tracing_endpoint", "http://"}},
		{name: "rate below range", mutate: func(c *Config) { c.SamplingRatePerMillion = -1 }, want: []string{"tracing_sampling_rate_per_million", "0 to 1000000"}},
		{name: "rate above range", mutate: func(c *Config) { c.SamplingRatePerMillion = 1_000_001 }, want: []string{"tracing_sampling_rate_per_million", "0 to 1000000"}},
		{name: "protocol", mutate: func(c *Config) { c.Protocol = "http/json" }, want: []string{"tracing_protocol", `"grpc" or "http/protobuf"`}},
		{name: "tls files without tls", mutate: func(c *Config) { c.TLSCAFile = "/ca.pem" }, want: []string{"tracing_tls_ca_file", "tracing_tls = true"}},
		{name: "cert without key", mutate: func(c *Config) { c.TLS = true; c.TLSCertFile = "/c.pem" }, want: []string{"tracing_tls_cert_file", "tracing_tls_key_file"}},
		{name: "http url with tls", mutate: func(c *Config) { c.TLS = true; c.Endpoint = "http://127.0.0.1:4318" }, want: []string{"tracing_endpoint", "https://"}},
		{name: "empty service name", mutate: func(c *Config) { c.ServiceName = " " }, want: []string{"tracing_service_name"}},
		{name: "bad rule", mutate: func(c *Config) { c.SamplingRules = []string{"*/PullImage=always", "nonsense"} }, want: []string{"tracing_sampling_rules[1]", "always|never"}},
		{name: "queue size", mutate: func(c *Config) { c.ExportQueueSize = 0 }, want: []string{"tracing_export_queue_size", "1 to 1048576"}},
		{name: "batch above queue", mutate: func(c *Config) { c.ExportBatchSize = c.ExportQueueSize + 1 }, want: []string{"tracing_export_batch_size"}},
		{name: "export interval", mutate: func(c *Config) { c.ExportInterval = Duration(time.Hour) }, want: []string{"tracing_export_interval", "10ms to 1m0s"}},
		{name: "export timeout", mutate: func(c *Config) { c.ExportTimeout = 0 }, want: []string{"tracing_export_timeout"}},
		{name: "probe interval", mutate: func(c *Config) { c.ProbeInterval = Duration(time.Millisecond) }, want: []string{"tracing_probe_interval"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.mutate(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("Validate accepted the config")
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FieldError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestValidateReportsAllAtOnce(t *testing.T) {
	c := DefaultConfig()
	c.Endpoint, c.SamplingRatePerMillion, c.Protocol = "", -5, "carrier-pigeon"
	err := c.Validate()
	for _, key := range []string{"tracing_endpoint", "tracing_sampling_rate_per_million", "tracing_protocol"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("error %v does not report %s", err, key)
		}
	}
}

func TestValidAccepted(t *testing.T) {
	for _, ep := range []string{"127.0.0.1:4317", "localhost:4317", "[::1]:4317", "http://127.0.0.1:4318/v1/traces", "https://collector.example:443"} {
		c := DefaultConfig()
		c.Endpoint = ep
		if err := c.Validate(); err != nil {
			t.Errorf("endpoint %q rejected: %v", ep, err)
		}
	}
}

func TestApplyEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(Config) bool
		wantErr string
	}{
		{name: "nothing set keeps defaults", check: func(c Config) bool { return c.Endpoint == "127.0.0.1:4317" && c.ServiceName == "" }},
		{name: "sdk disabled vetoes enabled", env: map[string]string{"OTEL_SDK_DISABLED": "true"}, check: func(c Config) bool { c.Enabled = true; return !c.On() }},
		{name: "bad sdk disabled", env: map[string]string{"OTEL_SDK_DISABLED": "maybe"}, wantErr: "OTEL_SDK_DISABLED"},
		{name: "service name", env: map[string]string{"OTEL_SERVICE_NAME": "runtime-a"}, check: func(c Config) bool { return c.ServiceName == "runtime-a" }},
		{name: "generic endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317"}, check: func(c Config) bool { return c.Endpoint == "http://127.0.0.1:4317" }},
		{name: "traces endpoint wins", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:2"}, check: func(c Config) bool { return c.Endpoint == "http://127.0.0.1:2" }},
		{name: "http base endpoint gets the signal path", env: map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318/"},
			check: func(c Config) bool {
				return c.Protocol == ProtocolHTTP && c.Endpoint == "http://127.0.0.1:4318/v1/traces"
			}},
		{name: "traces protocol wins", env: map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}, check: func(c Config) bool { return c.Protocol == ProtocolHTTP }},
		{name: "unsupported protocol", env: map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, wantErr: "OTEL_EXPORTER_OTLP_PROTOCOL"},
		{name: "headers decoded", env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "api-key=s%3Dcret,tenant=a"},
			check: func(c Config) bool { return c.Headers["api-key"] == "s=cret" && c.Headers["tenant"] == "a" }},
		{name: "bad headers never echo the value", env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "TOPSECRET"}, wantErr: "OTEL_EXPORTER_OTLP_HEADERS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			err := c.ApplyEnv(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "TOPSECRET") {
					t.Fatalf("error echoes a header value: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Fatalf("unexpected config %s endpoint=%q", c, c.Endpoint)
			}
		})
	}
}

func TestConfigStringHidesHeaders(t *testing.T) {
	c := DefaultConfig()
	c.Headers = map[string]string{"authorization": "Bearer TOPSECRET"}
	if s := c.String(); strings.Contains(s, "TOPSECRET") || !strings.Contains(s, "headers=1") {
		t.Fatalf("String() = %q", s)
	}
}

// TestValidateOrderIsStable: the same bad config gives the same message,
// keys in the order of the file, every time.
func TestValidateOrderIsStable(t *testing.T) {
	c := DefaultConfig()
	c.TLSCAFile, c.TLSCertFile, c.TLSKeyFile = "/ca.pem", "/cert.pem", "/key.pem"
	first := c.Validate().Error()
	for range 50 {
		if got := c.Validate().Error(); got != first {
			t.Fatalf("message changed between calls:\n%s\n---\n%s", first, got)
		}
	}
	ca, cert, key := strings.Index(first, "tracing_tls_ca_file"), strings.Index(first, "tracing_tls_cert_file"), strings.Index(first, "tracing_tls_key_file")
	if ca < 0 || !(ca < cert && cert < key) {
		t.Fatalf("keys not in file order (ca, cert, key): %s", first)
	}
}
