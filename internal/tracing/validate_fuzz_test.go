package tracing

import (
	"errors"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tomlKeys returns the TOML keys of Config.
func tomlKeys() map[string]bool {
	keys := make(map[string]bool)
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Config]()) {
		if k := f.Tag.Get("toml"); k != "" && k != "-" {
			keys[k] = true
		}
	}
	return keys
}

// fieldErrors unjoins err into its *FieldError values; anything else fails t.
func fieldErrors(t *testing.T, err error) []*FieldError {
	t.Helper()
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Validate returned %T %q, want errors.Join of *FieldError", err, err)
	}
	var out []*FieldError
	for _, e := range j.Unwrap() {
		var fe *FieldError
		if !errors.As(e, &fe) {
			t.Fatalf("Validate returned %T %q, want *FieldError", e, e)
		}
		out = append(out, fe)
	}
	return out
}

var simpleHostPort = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?:[0-9]{1,5}$`)

// FuzzConfigValidate sets every tracing_* value of a Config and checks
// Validate: it returns nothing or *FieldError values, each naming a key the
// TOML file has (or tracing_sampling_rules[i]) with the value and what is
// accepted; and for each key whose documented range (Config's field
// comments) the value misses, it names that key, and only then.
func FuzzConfigValidate(f *testing.F) {
	d := DefaultConfig()
	f.Add(d.Endpoint, d.Protocol, false, "", "", "", d.ServiceName, d.SamplingRatePerMillion, exampleRules[0],
		d.ExportQueueSize, d.ExportBatchSize, int64(d.ExportInterval), int64(d.ExportTimeout), int64(d.ProbeInterval))
	f.Add("https://collector.example:4318/v1/traces", ProtocolHTTP, true, "/ca.pem", "/c.pem", "/k.pem", "svc", 1_000_000, "*=never",
		1, 1, int64(10*time.Millisecond), int64(100*time.Millisecond), int64(50*time.Millisecond))
	f.Add("http://x", "http/json", true, "ca", "", "k", " ", -1, "bad", 0, 2, int64(-1), int64(time.Hour), int64(11*time.Minute))
	f.Add("[::1]:0", "", false, "", "c", "", "", 1_000_001, "=always", 1<<20+1, 0, int64(0), int64(0), int64(0))
	f.Add("ftp://h:1", "grpc", false, "", "", "", "s", 5, "a=b", 10, 11, int64(time.Minute+1), int64(5*time.Minute+1), int64(10*time.Minute))
	f.Add("host:65536", "grpc", false, "", "", "", "s", 5, "a=1", 10, 10, int64(time.Second), int64(time.Second), int64(time.Second))
	keys := tomlKeys()
	ruleKey := regexp.MustCompile(`^tracing_sampling_rules\[(\d+)\]$`)

	f.Fuzz(func(t *testing.T, endpoint, protocol string, tls bool, ca, cert, key, service string, rate int, rule string,
		queue, batch int, interval, timeout, probe int64) {
		c := Config{
			Enabled: true, Endpoint: endpoint, SamplingRatePerMillion: rate,
			Extensions: Extensions{
				Protocol: protocol, TLS: tls, TLSCAFile: ca, TLSCertFile: cert, TLSKeyFile: key, ServiceName: service,
				SamplingRules: []string{rule}, ExportQueueSize: queue, ExportBatchSize: batch,
				ExportInterval: Duration(interval), ExportTimeout: Duration(timeout), ProbeInterval: Duration(probe),
			},
		}
		errs := fieldErrors(t, c.Validate())
		named := make(map[string]bool)
		for _, fe := range errs {
			if m := ruleKey.FindStringSubmatch(fe.Key); m != nil {
				if i, _ := strconv.Atoi(m[1]); i != 0 {
					t.Fatalf("error names rule %d of 1: %v", i, fe)
				}
			} else if !keys[fe.Key] {
				t.Fatalf("error names %q, which is no TOML key of Config: %v", fe.Key, fe)
			}
			if fe.Accepted == "" || !strings.HasPrefix(fe.Error(), fe.Key+" = ") {
				t.Fatalf("error %q does not start with its key and say what is accepted", fe)
			}
			named[fe.Key] = true
		}
		// Again: the same problems (in any order; see issue 11 item 10).
		var again []string
		for _, fe := range fieldErrors(t, c.Validate()) {
			again = append(again, fe.Error())
		}
		var first []string
		for _, fe := range errs {
			first = append(first, fe.Error())
		}
		slices.Sort(first)
		slices.Sort(again)
		if !slices.Equal(first, again) {
			t.Fatalf("Validate is not repeatable:\n%q\n%q", first, again)
		}

		outside := func(v, lo, hi int64) bool { return v < lo || v > hi }
		_, ruleErr := ParseRule(rule)
		mustName := map[string]bool{
			"tracing_sampling_rate_per_million": outside(int64(rate), 0, 1_000_000),
			"tracing_protocol":                  protocol != ProtocolGRPC && protocol != ProtocolHTTP,
			"tracing_service_name":              service != "" && strings.TrimSpace(service) == "",
			"tracing_sampling_rules[0]":         ruleErr != nil,
			"tracing_export_queue_size":         outside(int64(queue), 1, 1<<20),
			"tracing_export_batch_size":         outside(int64(batch), 1, int64(queue)),
			"tracing_export_interval":           outside(interval, int64(10*time.Millisecond), int64(time.Minute)),
			"tracing_export_timeout":            outside(timeout, int64(100*time.Millisecond), int64(5*time.Minute)),
			"tracing_probe_interval":            outside(probe, int64(50*time.Millisecond), int64(10*time.Minute)),
			"tracing_tls_ca_file":               !tls && ca != "",
			"tracing_tls_key_file":              !tls && key != "",
		}
		for k, want := range mustName {
			if named[k] != want {
				t.Fatalf("Validate names %s: %t, want %t (errors: %v)", k, named[k], want, errs)
			}
		}
		if (cert == "") != (key == "") || (!tls && cert != "") {
			if !named["tracing_tls_cert_file"] {
				t.Fatalf("cert %q, key %q, tls %t: Validate does not name tracing_tls_cert_file: %v", cert, key, tls, errs)
			}
		}
		if !named["tracing_endpoint"] {
			checkUsableEndpoint(t, endpoint, tls)
		} else if simpleHostPort.MatchString(endpoint) && !tls {
			if p, _ := strconv.Atoi(endpoint[strings.LastIndexByte(endpoint, ':')+1:]); p >= 1 && p <= 65535 {
				t.Fatalf("Validate rejects the plain host:port %q: %v", endpoint, errs)
			}
		}
	})
}

// checkUsableEndpoint fails t unless endpoint is what tracing_endpoint
// documents: host:port with a port of 1..65535, or an http:// or https://
// URL with a host (https, or host:port, when tls is on).
func checkUsableEndpoint(t *testing.T, endpoint string, tls bool) {
	t.Helper()
	hostport := endpoint
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			t.Fatalf("Validate accepts the endpoint %q, which is no http(s) URL with a host", endpoint)
		}
		if tls && u.Scheme == "http" {
			t.Fatalf("Validate accepts the http URL %q with tracing_tls = true", endpoint)
		}
		if u.Port() == "" {
			return
		}
		hostport = u.Host
	}
	host, port, err := net.SplitHostPort(hostport)
	p, perr := strconv.Atoi(port)
	if err != nil || host == "" || perr != nil || p < 1 || p > 65535 {
		t.Fatalf("Validate accepts the endpoint %q, whose host:port %q is not usable", endpoint, hostport)
	}
}
