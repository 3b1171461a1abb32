package tracing

import (
	"log/slog"

	"go.opentelemetry.io/otel/attribute"
)

// Option configures NewProvider.
type Option func(*options)

type options struct {
	logger         *slog.Logger
	serviceVersion string
	instanceID     string
	attrs          []attribute.KeyValue
}

func newOptions(opts []Option) options {
	o := options{logger: slog.New(slog.DiscardHandler)}
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// WithLogger sets where the provider reports state changes (one line each)
// and, rate-limited, OpenTelemetry's own errors. Default: discard.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithServiceVersion sets the resource's service.version.
func WithServiceVersion(v string) Option { return func(o *options) { o.serviceVersion = v } }

// WithServiceInstanceID sets service.instance.id. Default: a random UUID per
// process, so restarts of one daemon are told apart.
func WithServiceInstanceID(id string) Option { return func(o *options) { o.instanceID = id } }

// WithResourceAttributes adds attributes to the resource. They lose to
// OTEL_RESOURCE_ATTRIBUTES, which loses to the configured service name.
func WithResourceAttributes(attrs ...attribute.KeyValue) Option {
	return func(o *options) { o.attrs = append(o.attrs, attrs...) }
}
