package harness

import (
	"fmt"
	"strconv"
	"strings"
)

// TracingConfig returns the containerd config tables that switch on
// upstream containerd's OTLP tracing, exporting every span over gRPC to
// endpoint (host:port) as service "containerd". Pass it as
// ContainerdOptions.ExtraConfig together with an upstream Binary: Debian's
// build has no tracing plugins and ignores these tables silently. Measured
// here: without protocol = "grpc" the OTLP plugin fails to load.
func TracingConfig(endpoint string) string {
	return TracingConfigRatio(endpoint, 1.0)
}

// TracingConfigRatio is TracingConfig with containerd's sampling_ratio set
// to ratio (0.0 to 1.0) instead of 1.0. containerd samples parent-based:
// the ratio applies to calls that arrive without a sampled parent.
func TracingConfigRatio(endpoint string, ratio float64) string {
	return fmt.Sprintf(`
[plugins."io.containerd.tracing.processor.v1.otlp"]
  endpoint = %q
  protocol = "grpc"
  insecure = true

[plugins."io.containerd.internal.v1.tracing"]
  sampling_ratio = %s
  service_name = "containerd"
`, endpoint, tomlFloat(ratio))
}

// tomlFloat writes f as a TOML float: always with a decimal point, since
// containerd reads an integer literal into a float field as an error.
func tomlFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}
