package harness

import "fmt"

// TracingConfig returns the containerd config tables that switch on
// upstream containerd's OTLP tracing, exporting every span over gRPC to
// endpoint (host:port) as service "containerd". Pass it as
// ContainerdOptions.ExtraConfig together with an upstream Binary: Debian's
// build has no tracing plugins and ignores these tables silently. Measured
// here: without protocol = "grpc" the OTLP plugin fails to load.
func TracingConfig(endpoint string) string {
	return fmt.Sprintf(`
[plugins."io.containerd.tracing.processor.v1.otlp"]
  endpoint = %q
  protocol = "grpc"
  insecure = true

[plugins."io.containerd.internal.v1.tracing"]
  sampling_ratio = 1.0
  service_name = "containerd"
`, endpoint)
}
