package tracing

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FieldError is one invalid setting: the TOML key, the value found and what
// would have been accepted.
type FieldError struct {
	Key      string
	Value    string
	Accepted string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s = %s is invalid: accepted %s", e.Key, e.Value, e.Accepted)
}

// Validate reports every invalid field at once, each as a *FieldError joined
// with errors.Join, so an operator fixes a config file in one pass. It checks
// the values even when tracing is disabled, so that a typo is caught before
// the day someone switches tracing on.
func (c Config) Validate() error {
	var errs []error
	bad := func(key string, value any, accepted string) {
		errs = append(errs, &FieldError{Key: key, Value: fmt.Sprintf("%q", fmt.Sprint(value)), Accepted: accepted})
	}
	if _, _, err := c.target(); err != nil {
		bad("tracing_endpoint", c.Endpoint, "host:port (port 1..65535), or an http:// or https:// URL")
	}
	if c.SamplingRatePerMillion < 0 || c.SamplingRatePerMillion > 1_000_000 {
		bad("tracing_sampling_rate_per_million", c.SamplingRatePerMillion, "an integer from 0 to 1000000")
	}
	if c.Protocol != ProtocolGRPC && c.Protocol != ProtocolHTTP {
		bad("tracing_protocol", c.Protocol, `"grpc" or "http/protobuf"`)
	}
	if !c.TLS {
		// In the order of the file, so the message is the same every time.
		for _, kv := range [...]struct{ key, value string }{
			{"tracing_tls_ca_file", c.TLSCAFile},
			{"tracing_tls_cert_file", c.TLSCertFile},
			{"tracing_tls_key_file", c.TLSKeyFile},
		} {
			if kv.value != "" {
				bad(kv.key, kv.value, "empty unless tracing_tls = true")
			}
		}
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		bad("tracing_tls_cert_file", c.TLSCertFile, "set together with tracing_tls_key_file, or both empty")
	}
	if u, ok := c.endpointURL(); ok && u.Scheme == "http" && c.TLS {
		bad("tracing_endpoint", c.Endpoint, "an https:// URL or host:port when tracing_tls = true")
	}
	if c.ServiceName != "" && strings.TrimSpace(c.ServiceName) == "" {
		bad("tracing_service_name", c.ServiceName, `a name such as "crio-trace", or empty for OTEL_SERVICE_NAME or "unknown_service:<executable>"`)
	}
	for i, r := range c.SamplingRules {
		if _, err := ParseRule(r); err != nil {
			bad(fmt.Sprintf("tracing_sampling_rules[%d]", i), r, `"SPAN_NAME_GLOB=always|never|<rate per million>", e.g. "*/PullImage=always"`)
		}
	}
	if c.ExportQueueSize < 1 || c.ExportQueueSize > 1<<20 {
		bad("tracing_export_queue_size", c.ExportQueueSize, "an integer from 1 to 1048576")
	}
	if c.ExportBatchSize < 1 || c.ExportBatchSize > c.ExportQueueSize {
		bad("tracing_export_batch_size", c.ExportBatchSize, "an integer from 1 to tracing_export_queue_size")
	}
	checkDur := func(key string, d Duration, lo, hi time.Duration) {
		if time.Duration(d) < lo || time.Duration(d) > hi {
			bad(key, d, fmt.Sprintf("a duration from %s to %s", lo, hi))
		}
	}
	checkDur("tracing_export_interval", c.ExportInterval, 10*time.Millisecond, time.Minute)
	checkDur("tracing_export_timeout", c.ExportTimeout, 100*time.Millisecond, 5*time.Minute)
	checkDur("tracing_probe_interval", c.ProbeInterval, 50*time.Millisecond, 10*time.Minute)
	return errors.Join(errs...)
}

// endpointURL returns the endpoint parsed as a URL when it is written as one.
func (c Config) endpointURL() (*url.URL, bool) {
	if !strings.Contains(c.Endpoint, "://") {
		return nil, false
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil {
		return nil, false
	}
	return u, true
}

// target returns the collector's host:port and, for URLs, the path.
func (c Config) target() (hostport, path string, err error) {
	hostport = c.Endpoint
	if u, ok := c.endpointURL(); ok {
		if u.Scheme != "http" && u.Scheme != "https" {
			return "", "", fmt.Errorf("scheme %q", u.Scheme)
		}
		hostport, path = u.Host, u.Path
		if u.Port() == "" {
			port := "80"
			if u.Scheme == "https" {
				port = "443"
			}
			hostport = net.JoinHostPort(u.Hostname(), port)
		}
	} else if strings.Contains(c.Endpoint, "/") {
		return "", "", errors.New("host:port expected")
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return "", "", err
	}
	if host == "" {
		return "", "", errors.New("empty host")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "", "", fmt.Errorf("port %q", port)
	}
	return hostport, path, nil
}

// useTLS reports whether the exporter speaks TLS: tracing_tls, or an https URL.
func (c Config) useTLS() bool {
	if u, ok := c.endpointURL(); ok && u.Scheme == "https" {
		return true
	}
	return c.TLS
}
