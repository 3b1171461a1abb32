package systems_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"text/template"
	"time"

	"github.com/crio-trace/crio-trace/test/harness"
)

// backends are the observability programs of the run, all on 127.0.0.1.
type backends struct {
	// CollectorOTLP is where kubelet, crio-trace and containerd export.
	CollectorOTLP string
	// CollectorOTLPTLS is the collector's second OTLP gRPC receiver, which
	// speaks only TLS, with a serving certificate for 127.0.0.1 signed by
	// the CA in CollectorCA (a PEM file the test made).
	CollectorOTLPTLS, CollectorCA string
	// JaegerQuery is the query API of the Jaeger fed over OTLP;
	// ZipkinJaegerQuery that of the Jaeger fed by the Zipkin exporter. Two
	// instances, so each back end's copy of the trace is checked on its own
	// (one store would hold every span twice).
	JaegerQuery, ZipkinJaegerQuery string
	// PrometheusAPI is Prometheus's HTTP API base URL.
	PrometheusAPI string
	// logs are the programs' log files.
	logs []string
}

// jaegerConfig is a Jaeger v2 configuration with in-memory storage and
// every listener on 127.0.0.1: one receiver (OTLP gRPC or Zipkin).
var jaegerConfig = template.Must(template.New("jaeger").Parse(`
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [{{.Receiver}}]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    traces:
      level: none
    logs:
      level: info
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
  jaeger_query:
    # No self-tracing: it would export to the default 127.0.0.1:4317,
    # which may be anyone's collector.
    enable_tracing: false
    storage:
      traces: memstore
    http:
      endpoint: {{.Query}}
    grpc:
      endpoint: {{.QueryGRPC}}
receivers:
{{- if eq .Receiver "otlp"}}
  otlp:
    protocols:
      grpc:
        endpoint: {{.In}}
{{- else}}
  zipkin:
    endpoint: {{.In}}
{{- end}}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`))

// collectorConfig: OTLP in (plain, and over TLS on a second port); batch; OTLP to one Jaeger, Zipkin to the other,
// spans into the span_metrics connector whose metrics Prometheus scrapes,
// and, when Tap is set, OTLP to the test's own receiver.
var collectorConfig = template.Must(template.New("otelcol").Parse(`
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: {{.In}}
  otlp/tls:
    protocols:
      grpc:
        endpoint: {{.InTLS}}
        tls:
          cert_file: {{.Cert}}
          key_file: {{.Key}}
processors:
  batch:
    timeout: 200ms
connectors:
  span_metrics:
    metrics_flush_interval: 1s
    histogram:
      explicit:
        buckets: [1ms, 5ms, 10ms, 50ms, 100ms, 500ms, 1s, 5s, 10s]
exporters:
  otlp_grpc/jaeger:
    endpoint: {{.Jaeger}}
    tls:
      insecure: true
{{- if .Tap}}
  otlp_grpc/tap:
    endpoint: {{.Tap}}
    tls:
      insecure: true
{{- end}}
  zipkin:
    endpoint: http://{{.Zipkin}}/api/v2/spans
  prometheus:
    endpoint: {{.Metrics}}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp, otlp/tls]
      processors: [batch]
      exporters: [otlp_grpc/jaeger, zipkin, span_metrics{{if .Tap}}, otlp_grpc/tap{{end}}]
    metrics:
      receivers: [span_metrics]
      exporters: [prometheus]
`))

var prometheusConfig = template.Must(template.New("prometheus").Parse(`
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: otelcol-spanmetrics
    static_configs:
      - targets: ["{{.Metrics}}"]
`))

// writeTemplate renders tmpl with data into dir/name.
func writeTemplate(t *testing.T, tmpl *template.Template, data any, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("creating %s: %v", name, err)
	}
	defer f.Close()
	if err := tmpl.Execute(f, data); err != nil {
		t.Fatalf("writing %s: %v", name, err)
	}
	return path
}

// startBackends starts the two Jaegers, Prometheus and the collector, and
// waits until each answers. tap, when not empty, is one more OTLP gRPC
// endpoint the collector exports every span to.
func startBackends(t *testing.T, st systemTools, tap string) backends {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	env := []string{"PATH=/usr/bin:/bin", "HOME=" + dir}

	type jaegerPorts struct{ Receiver, In, Query, QueryGRPC string }
	jOTLP := jaegerPorts{"otlp", loopback(freePort(t)), loopback(freePort(t)), loopback(freePort(t))}
	jZipkin := jaegerPorts{"zipkin", loopback(freePort(t)), loopback(freePort(t)), loopback(freePort(t))}
	var started []*harness.Process
	for _, j := range []jaegerPorts{jOTLP, jZipkin} {
		cfg := writeTemplate(t, jaegerConfig, j, dir, "jaeger-"+j.Receiver+".yaml")
		p := start(t, "jaeger-"+j.Receiver, filepath.Join(dir, "jaeger-"+j.Receiver+".log"), env,
			st.Jaeger, "--config", "file:"+cfg)
		started = append(started, p)
	}

	metrics := loopback(freePort(t))
	promAddr := loopback(freePort(t))
	promCfg := writeTemplate(t, prometheusConfig, map[string]string{"Metrics": metrics}, dir, "prometheus.yml")
	prom := start(t, "prometheus", filepath.Join(dir, "prometheus.log"), env, st.Prometheus,
		"--config.file="+promCfg, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr, "--log.level=warn")

	in, inTLS := loopback(freePort(t)), loopback(freePort(t))
	ca, err := newPKI(filepath.Join(dir, "pki"))
	if err != nil {
		t.Fatal(err)
	}
	serving, err := ca.issue(certRequest{name: "collector", cn: "otelcol", server: true, ips: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	colCfg := writeTemplate(t, collectorConfig, map[string]string{
		"In": in, "InTLS": inTLS, "Cert": serving.Cert, "Key": serving.Key,
		"Jaeger": jOTLP.In, "Zipkin": jZipkin.In, "Metrics": metrics, "Tap": tap,
	}, dir, "otelcol.yaml")
	col := start(t, "otelcol", filepath.Join(dir, "otelcol.log"), env, st.Otelcol, "--config", "file:"+colCfg)

	b := backends{
		CollectorOTLP:     in,
		CollectorOTLPTLS:  inTLS,
		CollectorCA:       ca.caFile(),
		JaegerQuery:       "http://" + jOTLP.Query,
		ZipkinJaegerQuery: "http://" + jZipkin.Query,
		PrometheusAPI:     "http://" + promAddr,
		logs:              []string{started[0].LogPath(), started[1].LogPath(), prom.LogPath(), col.LogPath()},
	}
	checks := []struct {
		p    *harness.Process
		what string
		ok   func() (bool, error)
	}{
		{started[0], "Jaeger (OTLP) query API", httpOK(ctx, b.JaegerQuery+"/api/services")},
		{started[1], "Jaeger (Zipkin) query API", httpOK(ctx, b.ZipkinJaegerQuery+"/api/services")},
		{started[1], "Jaeger's Zipkin receiver", tcpOpen(jZipkin.In)},
		{prom, "Prometheus", httpOK(ctx, b.PrometheusAPI+"/-/ready")},
		{col, "collector OTLP receiver", tcpOpen(in)},
		{col, "collector OTLP receiver over TLS", tcpOpen(inTLS)},
		{col, "collector Prometheus exporter", tcpOpen(metrics)},
	}
	for _, c := range checks {
		if err := waitFor(ctx, c.p, c.what, time.Minute, 50*time.Millisecond, c.ok); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// httpOK is a condition: GET url answers 200.
func httpOK(ctx context.Context, url string) func() (bool, error) {
	return func() (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return false, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false, fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return true, nil
	}
}

// tcpOpen is a condition: something accepts connections at addr.
func tcpOpen(addr string) func() (bool, error) {
	return func() (bool, error) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false, err
		}
		c.Close()
		return true, nil
	}
}
