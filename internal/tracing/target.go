package tracing

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"
)

// target is the collector as one pipeline reaches it: address, transport,
// TLS material and headers, resolved from a Config. The exporter and the
// collector check are built from the same target, so the check proves what
// the exporter will meet: same protocol, same certificates, same headers.
//
// Building a target reads the TLS files; nothing else touches the disk or
// the network.
type target struct {
	endpoint string // as configured, for log lines
	protocol string
	hostport string
	path     string      // URL path for OTLP/HTTP; empty means /v1/traces
	tls      *tls.Config // nil: plaintext
	headers  map[string]string
	timeout  time.Duration // one export
}

// newTarget resolves c. Errors name the config key at fault.
func newTarget(c Config) (*target, error) {
	hostport, path, err := c.target()
	if err != nil {
		return nil, fmt.Errorf("tracing_endpoint %q: %w", c.Endpoint, err)
	}
	t := &target{
		endpoint: c.Endpoint,
		protocol: c.Protocol,
		hostport: hostport,
		path:     path,
		headers:  c.Headers,
		timeout:  c.ExportTimeout.std(),
	}
	if c.useTLS() {
		if t.tls, err = c.tlsConfig(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// checkTimeout bounds one collector check: long enough for a TLS handshake
// on a loaded node, short enough that a collector which accepts connections
// and never answers delays start-up and reloads by at most this much.
func (t *target) checkTimeout() time.Duration { return min(time.Second, t.timeout) }

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
