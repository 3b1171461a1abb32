package anchors

import (
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// TestErrorStatus proves the error row scores the conventions, not the
// mere presence of an ERROR status.
func TestErrorStatus(t *testing.T) {
	kc := otlpreceiver.Span{SpanID: "k", Service: svcKubelet, Kind: kindClient, Name: rpcName("PullImage"), StatusCode: otlpreceiver.StatusError}
	srv := func(status string, attrs map[string]string) otlpreceiver.Span {
		return otlpreceiver.Span{SpanID: "s", ParentSpanID: "k", Service: "x", Kind: kindServer, Name: rpcName("PullImage"), StatusCode: status, Attributes: attrs}
	}
	tests := []struct {
		name  string
		span  otlpreceiver.Span
		score int
	}{
		{name: "unknown is an error", span: srv(otlpreceiver.StatusError, map[string]string{"rpc.grpc.status_code": "2"}), score: 2},
		{name: "not found left unset", span: srv(otlpreceiver.StatusUnset, map[string]string{"rpc.response.status_code": "NOT_FOUND"}), score: 2},
		{name: "not found marked error", span: srv(otlpreceiver.StatusError, map[string]string{"rpc.grpc.status_code": "5"}), score: 1},
		{name: "unknown left unset", span: srv(otlpreceiver.StatusUnset, map[string]string{"rpc.response.status_code": "UNKNOWN"}), score: 1},
		{name: "error without a code", span: srv(otlpreceiver.StatusError, nil), score: 1},
		{name: "nothing says it failed", span: srv(otlpreceiver.StatusUnset, nil), score: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := errorStatus([]otlpreceiver.Span{kc, tc.span}, "x")
			if c.score != tc.score || !c.measured {
				t.Errorf("errorStatus = %+v, want score %d", c, tc.score)
			}
		})
	}
	if c := errorStatus([]otlpreceiver.Span{kc}, "x"); c.score != 0 || !strings.Contains(c.text, "0 SERVER spans") {
		t.Errorf("no server span: %+v", c)
	}
}

// TestSpansPerRPC proves the span row sees a missing parent and a second
// span per call.
func TestSpansPerRPC(t *testing.T) {
	name := rpcName("StartContainer")
	kc := otlpreceiver.Span{SpanID: "k", Service: svcKubelet, Kind: kindClient, Name: name}
	srv := otlpreceiver.Span{SpanID: "s", ParentSpanID: "k", Service: "x", Kind: kindServer, Name: name}
	tests := []struct {
		name  string
		spans []otlpreceiver.Span
		score int
	}{
		{name: "one server span under kubelet", spans: []otlpreceiver.Span{kc, srv}, score: 2},
		{name: "a second span named for the RPC", spans: []otlpreceiver.Span{kc, srv, {SpanID: "i", ParentSpanID: "s", Service: "x", Kind: "INTERNAL", Name: "/" + name}}, score: 1},
		{name: "server span under another parent", spans: []otlpreceiver.Span{kc, {SpanID: "s", ParentSpanID: "z", Service: "x", Kind: kindServer, Name: name}}, score: 0},
		{name: "two server spans", spans: []otlpreceiver.Span{kc, srv, {SpanID: "s2", ParentSpanID: "k", Service: "x", Kind: kindServer, Name: name}}, score: 0},
		{name: "no server span", spans: []otlpreceiver.Span{kc}, score: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if c := spansPerRPC(tc.spans, "x", []string{"StartContainer"}); c.score != tc.score {
				t.Errorf("spansPerRPC = %+v, want score %d", c, tc.score)
			}
		})
	}
}

func TestSecretsIn(t *testing.T) {
	if c := secretsIn("nothing here"); c.score != 0 {
		t.Errorf("clean text: %+v", c)
	}
	c := secretsIn("pulled with " + planted[0].value + " and env " + planted[5].value)
	if c.score != -2 || !strings.Contains(c.text, "password") || !strings.Contains(c.text, "env value") {
		t.Errorf("two secrets: %+v", c)
	}
}

func TestLinesCell(t *testing.T) {
	const crio = "2026/12/01 02:08:23 traces export: context deadline exceeded\n"
	const warn = `time=x level=WARN msg="tracing: export to 127.0.0.1:1 failed"` + "\n"
	const info = `time="x" level=info msg="loading plugin io.containerd.tracing.processor.v1.otlp"` + "\n"
	tests := []struct {
		name  string
		log   string
		score int
	}{
		{name: "silent", log: info, score: -1},
		{name: "one line", log: info + warn, score: 0},
		{name: "a line per batch", log: strings.Repeat(crio, 5), score: -2},
		{name: "a flood", log: strings.Repeat(crio, 20), score: -3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if c := linesCell(t, tc.log, 0, loadWindow); c.score != tc.score {
				t.Errorf("linesCell = %+v, want score %d", c, tc.score)
			}
		})
	}
}

func TestLatencyCell(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		name  string
		lat   []time.Duration
		score int
	}{
		{name: "fast", lat: ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), score: 0},
		{name: "a slow tail", lat: ms(1, 1, 1, 1, 1, 1, 1, 1, 1, 500), score: -1},
		{name: "blocked", lat: ms(2000, 2000, 2000), score: -2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if c := latencyCell(tc.lat); c.score != tc.score {
				t.Errorf("latencyCell = %+v, want score %d", c, tc.score)
			}
		})
	}
}

func TestParseWindow(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{in: "", want: time.Minute},
		{in: "20s", want: 20 * time.Second},
		{in: "10m", want: 10 * time.Minute},
		{in: "5s", want: time.Minute, err: true},
		{in: "11m", want: time.Minute, err: true},
		{in: "twenty", want: time.Minute, err: true},
	} {
		got, err := parseWindow(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("parseWindow(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err != nil && !strings.Contains(err.Error(), windowEnv) {
			t.Errorf("parseWindow(%q) error %q does not name %s", tc.in, err, windowEnv)
		}
	}
}
