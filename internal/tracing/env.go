package tracing

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ApplyEnv lays the standard OTEL_* variables over c, read through lookup
// (os.LookupEnv in a daemon, a map in tests). The precedence, lowest first:
//
//  1. DefaultConfig;
//  2. the OTEL_* environment (this function);
//  3. keys present in the config file (decode the file over the result);
//  4. command-line flags that were set;
//  5. OTEL_SDK_DISABLED=true, which switches tracing off whatever else says.
//
// The environment sits below the file because the OpenTelemetry
// specification makes explicit configuration win over the environment, and
// above the defaults so that `crio-trace config` output, whose keys are all
// commented out, never masks it. The kill switch sits on top because it is
// what an operator reaches for in an emergency.
//
// Honoured: OTEL_SDK_DISABLED, OTEL_SERVICE_NAME,
// OTEL_EXPORTER_OTLP_{TRACES_,}ENDPOINT, OTEL_EXPORTER_OTLP_{TRACES_,}PROTOCOL
// and OTEL_EXPORTER_OTLP_{TRACES_,}HEADERS (the TRACES_ form wins).
// OTEL_RESOURCE_ATTRIBUTES is read when the resource is built. Setting an
// endpoint does not enable tracing: that stays enable_tracing's job.
//
// Guideline step 1: config and flags, OTEL_* precedence (enhancements/distributed-tracing-with-opentelemetry.md).
func (c *Config) ApplyEnv(lookup func(string) (string, bool)) error {
	get := func(keys ...string) (string, string, bool) {
		for _, k := range keys {
			if v, ok := lookup(k); ok && strings.TrimSpace(v) != "" {
				return k, strings.TrimSpace(v), true
			}
		}
		return "", "", false
	}
	if k, v, ok := get("OTEL_SDK_DISABLED"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s = %q is invalid: accepted true or false", k, v)
		}
		c.SDKDisabled = b
	}
	if _, v, ok := get("OTEL_SERVICE_NAME"); ok {
		c.ServiceName = v
	}
	if k, v, ok := get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"); ok {
		if v != ProtocolGRPC && v != ProtocolHTTP {
			return fmt.Errorf("%s = %q is invalid: accepted %q or %q", k, v, ProtocolGRPC, ProtocolHTTP)
		}
		c.Protocol = v
	}
	if _, v, ok := get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); ok {
		c.Endpoint = v // a signal-specific URL is used as given
	} else if _, v, ok := get("OTEL_EXPORTER_OTLP_ENDPOINT"); ok {
		c.Endpoint = v
		if c.Protocol == ProtocolHTTP {
			// The generic endpoint is a base URL: the specification appends
			// the signal's path for OTLP/HTTP.
			c.Endpoint = strings.TrimSuffix(v, "/") + "/v1/traces"
		}
	}
	if k, v, ok := get("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"); ok {
		h, err := parseHeaders(v)
		if err != nil {
			// Never echo the value: headers carry credentials.
			return fmt.Errorf("%s is invalid: accepted comma-separated key=value pairs: %w", k, err)
		}
		c.Headers = h
	}
	return nil
}

// parseHeaders parses the W3C-baggage-like list OTEL_EXPORTER_OTLP_HEADERS
// uses: key=value pairs separated by commas, values URL-encoded.
func parseHeaders(s string) (map[string]string, error) {
	h := make(map[string]string)
	for i, pair := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("pair %d has no key=value form", i+1)
		}
		dv, err := url.QueryUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("pair %d (key %q) has a badly escaped value", i+1, k)
		}
		h[k] = dv
	}
	return h, nil
}
