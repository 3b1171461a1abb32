package harness

import (
	"fmt"
	"strconv"
	"strings"
)

// TracingSettings are what upstream containerd 1.6's tracing plugins take:
// the OTLP exporter (io.containerd.tracing.processor.v1.otlp) and the
// sampler and service name (io.containerd.internal.v1.tracing).
type TracingSettings struct {
	// Endpoint is the collector's host:port.
	Endpoint string
	// Protocol is "grpc" or "http/protobuf". Measured here: containerd
	// v1.6.20's plugin fails to load without it.
	Protocol string
	// Insecure turns TLS off towards the collector.
	Insecure bool
	// ServiceName is the resource service.name of containerd's spans.
	ServiceName string
	// SamplingRatio is the share of traces kept, 0 to 1. containerd 1.6's
	// sampler is TraceIDRatioBased alone, not parent-based
	// (tracing/plugin/otlp.go in containerd v1.6.20): below 1 it drops
	// spans whose caller sampled, cutting the caller's traces short.
	SamplingRatio float64
}

// Config returns the config.toml tables for s. Pass them as
// ContainerdOptions.ExtraConfig together with an upstream Binary: Debian's
// build has no tracing plugins and ignores these tables silently.
func (s TracingSettings) Config() string {
	return fmt.Sprintf(`
[plugins."io.containerd.tracing.processor.v1.otlp"]
  endpoint = %q
  protocol = %q
  insecure = %t

[plugins."io.containerd.internal.v1.tracing"]
  sampling_ratio = %s
  service_name = %q
`, s.Endpoint, s.Protocol, s.Insecure, tomlFloat(s.SamplingRatio), s.ServiceName)
}

// tomlFloat formats f as a TOML float: with a decimal point, since "1"
// would be a TOML integer.
func tomlFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// TracingConfig returns the containerd config tables that switch on
// upstream containerd's OTLP tracing, exporting every span over gRPC
// (plaintext) to endpoint (host:port) as service "containerd".
func TracingConfig(endpoint string) string {
	return TracingSettings{Endpoint: endpoint, Protocol: "grpc", Insecure: true, ServiceName: "containerd", SamplingRatio: 1}.Config()
}

// TracingConfigRatio is TracingConfig with containerd's sampling_ratio set
// to ratio (0.0 to 1.0) instead of 1.0. Mind that containerd 1.6 applies the
// ratio to every span, a sampled caller's too (see SamplingRatio).
func TracingConfigRatio(endpoint string, ratio float64) string {
	return TracingSettings{Endpoint: endpoint, Protocol: "grpc", Insecure: true, ServiceName: "containerd", SamplingRatio: ratio}.Config()
}
