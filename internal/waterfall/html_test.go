package waterfall_test

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/waterfall"
)

func renderHTML(t *testing.T, spans []otlpreceiver.Span, title string) string {
	t.Helper()
	var b bytes.Buffer
	if err := waterfall.HTML(&b, spans, title); err != nil {
		t.Fatalf("HTML: %v", err)
	}
	return b.String()
}

// malice is a value that breaks out of any HTML context it is not escaped
// for.
const malice = `</title><script>alert("x")</script><img src=x onerror='alert(1)'>&amp;`

// maliciousTrace has the attack string everywhere a span carries text.
func maliciousTrace() []otlpreceiver.Span {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return []otlpreceiver.Span{{
		TraceID: "t" + malice, SpanID: "s" + malice, ParentSpanID: "p" + malice,
		Name: "name" + malice, Service: "svc" + malice, Scope: "scope" + malice, Kind: "SERVER",
		Start: base, End: base.Add(time.Millisecond),
		Attributes:    map[string]string{"k8s.pod.name": "pod" + malice, "key" + malice: "value" + malice},
		Resource:      map[string]string{"service.name": "svc" + malice},
		StatusCode:    otlpreceiver.StatusError,
		StatusMessage: "error" + malice,
		Events:        []otlpreceiver.Event{{Name: "event" + malice, Time: base, Attributes: map[string]string{"e": malice}}},
	}}
}

func TestHTMLEscapesEverything(t *testing.T) {
	out := renderHTML(t, maliciousTrace(), "title"+malice)
	tests := []struct {
		name    string
		wantNot string
		want    string
	}{
		{name: "no script element", wantNot: "<script"},
		{name: "no injected image", wantNot: "<img"},
		{name: "no early end of title", wantNot: "title</title><script"},
		{name: "attack text is shown escaped", want: "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"},
		{name: "ampersand escaped again", want: "&amp;amp;"},
		{name: "error message kept, escaped", want: "✗ ERROR: error&lt;/title&gt;"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.wantNot != "" && strings.Contains(out, tc.wantNot) {
				t.Errorf("page contains %q", tc.wantNot)
			}
			if tc.want != "" && !strings.Contains(out, tc.want) {
				t.Errorf("page lacks %q", tc.want)
			}
		})
	}
}

func TestHTMLStructure(t *testing.T) {
	out := renderHTML(t, sampleTrace(), "Pod start: default/nginx")
	rows := regexp.MustCompile(`(?s)<details class="span( err)?">.*?</details>`).FindAllString(out, -1)
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{name: "one row per span, none dropped", check: func(t *testing.T) {
			if len(rows) != len(sampleTrace()) {
				t.Errorf("%d rows, want %d", len(rows), len(sampleTrace()))
			}
		}},
		{name: "rows in tree order with depth guides", check: func(t *testing.T) {
			want := []struct {
				name  string
				depth int
			}{
				{"syncPod", 0}, {"runtime.v1.RuntimeService/RunPodSandbox", 1}, {"runtime.v1.RuntimeService/RunPodSandbox", 2},
				{"crio.sandbox.run", 3}, {"runtime.v1.ImageService/PullImage", 1}, {"runtime.v1.ImageService/PullImage", 2},
				{"crio.image.pull", 3}, {"runtime.v1.RuntimeService/CreateContainer", 1},
				{"runtime.v1.RuntimeService/CreateContainer", 2}, {"runtime.v1.RuntimeService/StartContainer", 1},
				{"runtime.v1.RuntimeService/StartContainer", 2}, {"runtime.v1.RuntimeService/Version", 0},
			}
			for i, w := range want {
				if i >= len(rows) {
					break
				}
				if !strings.Contains(rows[i], w.name+"</span>") {
					t.Errorf("row %d is not %q", i, w.name)
				}
				summary := rows[i][:strings.Index(rows[i], `<i class="tw`)]
				if got := strings.Count(summary, `<i class="g">`); got != w.depth {
					t.Errorf("row %d (%s) has %d guides, want %d", i, w.name, got, w.depth)
				}
			}
		}},
		{name: "bars proportional to durations", check: func(t *testing.T) {
			// syncPod covers the whole trace; RunPodSandbox's client span is 297 of 800 ms.
			left, width := barStyle(t, rows[0])
			if left != 0 || width != 100 {
				t.Errorf("root bar at %.3f%%+%.3f%%, want 0+100", left, width)
			}
			left, width = barStyle(t, rows[1])
			if diff(left, 1) > 0.01 || diff(width, 37.125) > 0.01 {
				t.Errorf("RunPodSandbox bar at %.3f%%+%.3f%%, want 1+37.125", left, width)
			}
		}},
		{name: "failed span is red with its message", check: func(t *testing.T) {
			if !strings.HasPrefix(rows[10], `<details class="span err">`) {
				t.Errorf("failed row not marked err: %.80s", rows[10])
			}
			if !strings.Contains(rows[10], `✗ ERROR: starting container &#34;web&#34;: exec: &#34;nginx&#34;: executable file not found in $PATH`) {
				t.Errorf("failed row lacks the message")
			}
			if !strings.Contains(rows[10], "background:#dc2626") {
				t.Errorf("failed row's bar is not red")
			}
			if n := strings.Count(out, `class="span err"`); n != 1 {
				t.Errorf("%d rows marked failed, want 1", n)
			}
		}},
		{name: "orphan shown as a root and labelled", check: func(t *testing.T) {
			if !strings.Contains(rows[11], "parent 00000000000000d0 not in this trace") {
				t.Errorf("orphan row lacks its note")
			}
		}},
		{name: "legend names each service with its colour and count", check: func(t *testing.T) {
			for _, w := range []string{
				`<i class="swatch" style="background:#3b82f6"></i>kubelet <small>5</small>`,
				`<i class="swatch" style="background:#14b8a6"></i>crio-trace <small>7</small>`,
			} {
				if !strings.Contains(out, w) {
					t.Errorf("legend lacks %q", w)
				}
			}
		}},
		{name: "hover text has the key attributes", check: func(t *testing.T) {
			if !strings.Contains(rows[2], "sandbox = 3f2a1b4c5d6e") || !strings.Contains(rows[2], "pod = nginx-7c5ddbdf54-x2vq9") {
				t.Errorf("RunPodSandbox server row lacks key attributes in its title")
			}
		}},
		{name: "self-contained: no script, no external resource", check: func(t *testing.T) {
			for _, bad := range []string{"<script", "<link", "src=", "http://", "https://", "@import", "url("} {
				if strings.Contains(out, bad) {
					t.Errorf("page contains %q", bad)
				}
			}
		}},
		{name: "time ruler runs to the trace length", check: func(t *testing.T) {
			if !strings.Contains(out, `<span class="tick" style="right:0">800ms</span>`) ||
				!strings.Contains(out, `<span class="tick" style="left:50.00%">400ms</span>`) {
				t.Errorf("ruler ticks missing")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

var barRE = regexp.MustCompile(`class="bar" style="left:([0-9.]+)%;width:([0-9.]+)%`)

func barStyle(t *testing.T, row string) (left, width float64) {
	t.Helper()
	m := barRE.FindStringSubmatch(row)
	if m == nil {
		t.Fatalf("no bar in row %.200s", row)
	}
	left, _ = strconv.ParseFloat(m[1], 64)
	width, _ = strconv.ParseFloat(m[2], 64)
	return left, width
}

func TestHTMLEmpty(t *testing.T) {
	out := renderHTML(t, nil, "nothing")
	for _, w := range []string{"<title>nothing</title>", "No spans were received"} {
		if !strings.Contains(out, w) {
			t.Errorf("empty page lacks %q", w)
		}
	}
}
