package tracing

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/attribute"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	// v1.26.0: the service.* keys are the same in every version, and this
	// package exists in every otel release from v1.27 (2024) on, so the kit
	// builds against CRI-O v1.34's pins (otel v1.35) as well as ours.
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
)

// newResource merges, lowest precedence first: the SDK's defaults
// (telemetry.sdk.*), host.name, service.instance.id and service.version,
// attributes from WithResourceAttributes, OTEL_RESOURCE_ATTRIBUTES, and
// finally service.name from the config (which already holds
// OTEL_SERVICE_NAME unless the file or a flag set it).
func newResource(ctx context.Context, serviceName string, o options) (*sdkresource.Resource, error) {
	id := o.instanceID
	if id == "" {
		id = uuid.NewString() // random (version 4), as the semantic conventions recommend
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
	if serviceName == "" {
		// The specification's default, what the SDK's own default resource
		// would say: the component forgot to name itself, and says so.
		serviceName = "unknown_service:" + filepath.Base(os.Args[0])
	}
	return sdkresource.Merge(res, sdkresource.NewSchemaless(semconv.ServiceName(serviceName)))
}
