package tracing

import (
	"fmt"
	"time"
)

// Protocol names accepted by tracing_protocol, spelled as OTEL_EXPORTER_OTLP_PROTOCOL spells them.
const (
	ProtocolGRPC = "grpc"
	ProtocolHTTP = "http/protobuf"
)

// Config is the tracing configuration of a component. Its TOML names are
// CRI-O's for the three settings CRI-O has (enable_tracing,
// tracing_endpoint, tracing_sampling_rate_per_million) and carry the
// tracing_ prefix for the kit's extensions, so the struct can be decoded
// straight from CRI-O's [crio.tracing] table, or from a table of the
// component's own naming.
//
// Start from DefaultConfig, never from the zero value: the zero value has an
// empty endpoint and zero export bounds, which Validate rejects.
type Config struct {
	// Guideline step 1: config and flags (enhancements/distributed-tracing-with-opentelemetry.md).
	// guideline:begin config-keys
	// Enabled turns tracing on. Default false: no instrumentation at all.
	Enabled bool `toml:"enable_tracing"`
	// Endpoint is the OTLP collector as host:port, or as a URL
	// (http://host:port, https://host:port/v1/traces). Default 127.0.0.1:4317.
	Endpoint string `toml:"tracing_endpoint"`
	// SamplingRatePerMillion is the share of root spans sampled, 0..1000000.
	// Spans with a parent (kubelet's) follow the parent's decision whatever
	// the rate. Default 0: only traces kubelet started are kept.
	SamplingRatePerMillion int `toml:"tracing_sampling_rate_per_million"`
	// guideline:end config-keys

	// Extensions are the kit's keys beyond those three, decoded from the
	// same table (TOML flattens an embedded struct).
	Extensions

	// Headers are sent with every export (from OTEL_EXPORTER_OTLP_HEADERS).
	// They often hold credentials, so they come from the environment only and
	// are never printed.
	Headers map[string]string `toml:"-"`
	// SDKDisabled is set by OTEL_SDK_DISABLED=true and wins over Enabled.
	SDKDisabled bool `toml:"-"`
}

// Extensions are the kit's tracing_* keys beyond the three CRI-O already
// has. A component whose configuration has its own fields for those three
// (CRI-O's TracingConfig in pkg/config/config.go) embeds Extensions next to
// them, so the extra keys decode from the same TOML table without a second
// copy of their names, and assembles a Config from both.
type Extensions struct {
	// Protocol is the OTLP transport: "grpc" (default) or "http/protobuf".
	Protocol string `toml:"tracing_protocol"`
	// TLS switches the exporter to TLS. Default false (plaintext), as CRI-O
	// and kubelet do; collectors usually run on the node or in-cluster.
	TLS bool `toml:"tracing_tls"`
	// TLSCAFile is a PEM bundle to verify the collector with; empty uses the
	// system roots. Only with tracing_tls = true.
	TLSCAFile string `toml:"tracing_tls_ca_file"`
	// TLSCertFile and TLSKeyFile are a PEM client certificate and key for
	// mutual TLS; both or neither. Only with tracing_tls = true.
	TLSCertFile string `toml:"tracing_tls_cert_file"`
	TLSKeyFile  string `toml:"tracing_tls_key_file"`

	// ServiceName is the resource's service.name: the component's own
	// name, which the component sets (crio-trace's is "crio-trace", set in
	// internal/config). Default empty, which means OTEL_SERVICE_NAME if set,
	// else the OpenTelemetry default "unknown_service:<executable>".
	ServiceName string `toml:"tracing_service_name"`
	// SamplingRules decide root spans by span name before the rate applies;
	// see ParseRule for the syntax. Default none: the component installs the
	// rules that fit its callers (crio-trace's are server.DefaultSamplingRules).
	SamplingRules []string `toml:"tracing_sampling_rules"`

	// ExportQueueSize bounds the spans waiting for export; when full, new
	// spans are dropped (and counted), never waited for. Default 2048.
	ExportQueueSize int `toml:"tracing_export_queue_size"`
	// ExportBatchSize is the most spans sent in one export. Default 512.
	ExportBatchSize int `toml:"tracing_export_batch_size"`
	// ExportInterval is the longest a finished span waits before export. Default 5s.
	ExportInterval Duration `toml:"tracing_export_interval"`
	// ExportTimeout bounds one export call. Default 10s.
	ExportTimeout Duration `toml:"tracing_export_timeout"`
	// ProbeInterval is the longest wait between two checks for an absent
	// collector (the probe backs off up to it). Default 5s.
	ProbeInterval Duration `toml:"tracing_probe_interval"`
}

// DefaultConfig returns the kit's defaults: tracing off, collector on
// 127.0.0.1:4317 over plaintext OTLP/gRPC, rate 0, no sampling rules, no
// service name. A component starts from it and sets what is its own: the
// service name and the sampling rules for its callers (see internal/config
// for crio-trace's).
func DefaultConfig() Config {
	return Config{
		Enabled:                false,
		Endpoint:               "127.0.0.1:4317",
		SamplingRatePerMillion: 0,
		Extensions:             DefaultExtensions(),
	}
}

// DefaultExtensions returns the defaults of the kit's extension keys.
func DefaultExtensions() Extensions {
	return Extensions{
		Protocol:        ProtocolGRPC,
		ExportQueueSize: 2048,
		ExportBatchSize: 512,
		ExportInterval:  Duration(5 * time.Second),
		ExportTimeout:   Duration(10 * time.Second),
		ProbeInterval:   Duration(5 * time.Second),
	}
}

// On reports whether tracing is to run: enabled and not vetoed by
// OTEL_SDK_DISABLED.
func (c Config) On() bool { return c.Enabled && !c.SDKDisabled }

// String renders the configuration for a log line. Header values are
// replaced by their count: they are credentials.
func (c Config) String() string {
	return fmt.Sprintf("enabled=%t endpoint=%s protocol=%s tls=%t rate_per_million=%d rules=%d service=%s headers=%d",
		c.On(), c.Endpoint, c.Protocol, c.TLS, c.SamplingRatePerMillion, len(c.SamplingRules), c.ServiceName, len(c.Headers))
}

// Duration is a time.Duration written in TOML as a Go duration string ("5s").
type Duration time.Duration

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("want a duration such as \"5s\" or \"250ms\": %w", err)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// String returns the Go duration string.
func (d Duration) String() string { return time.Duration(d).String() }

func (d Duration) std() time.Duration { return time.Duration(d) }
