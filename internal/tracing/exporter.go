package tracing

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/credentials"
)

// newExporter builds the OTLP exporter c describes. It never dials: both
// OTLP clients connect lazily, so a missing collector is found by the probe,
// not by a start-up failure. The exporter's own retry is off: a failed batch
// is dropped and reported, because the kit detaches instead of retrying
// into a collector that is not there.
func newExporter(ctx context.Context, c Config) (*otlptrace.Exporter, error) {
	hostport, path, err := c.target()
	if err != nil {
		return nil, fmt.Errorf("tracing_endpoint %q: %w", c.Endpoint, err)
	}
	var tlsCfg *tls.Config
	if c.useTLS() {
		if tlsCfg, err = c.tlsConfig(); err != nil {
			return nil, err
		}
	}
	timeout := c.ExportTimeout.std()
	if c.Protocol == ProtocolHTTP {
		opts := []otlptracehttp.Option{
			otlptracehttp.WithEndpoint(hostport),
			otlptracehttp.WithTimeout(timeout),
			otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
		}
		if path != "" {
			opts = append(opts, otlptracehttp.WithURLPath(path))
		}
		if tlsCfg == nil {
			opts = append(opts, otlptracehttp.WithInsecure())
		} else {
			opts = append(opts, otlptracehttp.WithTLSClientConfig(tlsCfg))
		}
		if len(c.Headers) > 0 {
			opts = append(opts, otlptracehttp.WithHeaders(c.Headers))
		}
		return otlptracehttp.New(ctx, opts...)
	}
	opts := []otlptracegrpc.Option{
		otlptracegrpc.WithEndpoint(hostport),
		otlptracegrpc.WithTimeout(timeout),
		otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: false}),
	}
	if tlsCfg == nil {
		opts = append(opts, otlptracegrpc.WithInsecure())
	} else {
		opts = append(opts, otlptracegrpc.WithTLSCredentials(credentials.NewTLS(tlsCfg)))
	}
	if len(c.Headers) > 0 {
		opts = append(opts, otlptracegrpc.WithHeaders(c.Headers))
	}
	return otlptracegrpc.New(ctx, opts...)
}

// tlsConfig loads the CA bundle and client key pair the config names.
func (c Config) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLSCAFile != "" {
		pem, err := os.ReadFile(c.TLSCAFile)
		if err != nil {
			return nil, fmt.Errorf("tracing_tls_ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tracing_tls_ca_file %q: no PEM certificate found", c.TLSCAFile)
		}
		cfg.RootCAs = pool
	}
	if c.TLSCertFile != "" {
		pair, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("tracing_tls_cert_file/tracing_tls_key_file: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// watchedExporter reports each export's outcome to the provider, so a
// collector that goes away is noticed on the first failed batch rather than
// through a stream of error logs, and counts the spans it lost.
type watchedExporter struct {
	sdktrace.SpanExporter
	// onResult reports the outcome and whether a failure is still news
	// for OpenTelemetry's error handler (see Provider.exportResult).
	onResult func(err error) bool
	// onSent tells the queue gate a batch has left the queue.
	onSent  func(n int)
	dropped *atomic.Int64
}

func (w *watchedExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if w.onSent != nil {
		defer w.onSent(len(spans))
	}
	err := w.SpanExporter.ExportSpans(ctx, spans)
	if err != nil && !errors.Is(err, context.Canceled) {
		w.dropped.Add(int64(len(spans)))
	}
	if !w.onResult(err) {
		// Counted in dropped and logged once by the provider.
		return nil
	}
	return err
}
