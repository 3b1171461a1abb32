package tracing

import (
	"context"
	"crypto/rand"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// newResource merges, lowest precedence first: the SDK's defaults
// (telemetry.sdk.*), host.name, service.instance.id and service.version,
// attributes from WithResourceAttributes, OTEL_RESOURCE_ATTRIBUTES, and
// finally service.name from the config (which already holds
// OTEL_SERVICE_NAME unless the file or a flag set it).
func newResource(ctx context.Context, serviceName string, o options) (*sdkresource.Resource, error) {
	id := o.instanceID
	if id == "" {
		id = randomUUID()
	}
	base := []attribute.KeyValue{semconv.ServiceInstanceID(id)}
	if o.serviceVersion != "" {
		base = append(base, semconv.ServiceVersion(o.serviceVersion))
	}
	base = append(base, o.attrs...)
	res, err := sdkresource.New(ctx,
		sdkresource.WithTelemetrySDK(),
		sdkresource.WithHost(),
		sdkresource.WithAttributes(base...),
		sdkresource.WithFromEnv(),
	)
	if err != nil {
		return nil, fmt.Errorf("tracing: building resource: %w", err)
	}
	return sdkresource.Merge(res, sdkresource.NewSchemaless(semconv.ServiceName(serviceName)))
}

// randomUUID returns a version 4 UUID.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
