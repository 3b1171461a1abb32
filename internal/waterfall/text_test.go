package waterfall_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/waterfall"
)

// renderText renders spans and returns the output's lines.
func renderText(t *testing.T, spans []otlpreceiver.Span, opts waterfall.Options) []string {
	t.Helper()
	var b bytes.Buffer
	if err := waterfall.Text(&b, spans, opts); err != nil {
		t.Fatalf("Text: %v", err)
	}
	return strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
}

// spanLine returns the index and text of the first line at or after from
// that holds the tree prefix and name want (the text after the service
// column), or fails.
func spanLine(t *testing.T, lines []string, from int, want string) (int, string) {
	t.Helper()
	for i := from; i < len(lines); i++ {
		if strings.Contains(lines[i], " "+want+" ") {
			return i, lines[i]
		}
	}
	t.Fatalf("no line with %q after line %d in:\n%s", want, from, strings.Join(lines, "\n"))
	return 0, ""
}

func TestTextTree(t *testing.T) {
	tests := []struct {
		name string
		// want lists tree-prefixed names in the order they must appear.
		want []string
	}{
		{
			name: "children under parents in start order, with tree guides",
			want: []string{
				"syncPod",
				"├─ runtime.v1.RuntimeService/RunPodSandbox",
				"│  └─ runtime.v1.RuntimeService/RunPodSandbox",
				"│     └─ crio.sandbox.run",
				"├─ runtime.v1.ImageService/PullImage",
				"│  └─ runtime.v1.ImageService/PullImage",
				"│     └─ crio.image.pull",
				"├─ runtime.v1.RuntimeService/CreateContainer",
				"│  └─ runtime.v1.RuntimeService/CreateContainer",
				"└─ runtime.v1.RuntimeService/StartContainer",
				"   └─ ✗ runtime.v1.RuntimeService/StartContainer",
				"runtime.v1.RuntimeService/Version",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines := renderText(t, sampleTrace(), waterfall.Options{Width: 160})
			at := 0
			for _, w := range tc.want {
				at, _ = spanLine(t, lines, at, w)
				at++
			}
			if !strings.HasPrefix(lines[0], "Trace "+sampleTraceID+" · 12 spans · 2 services · 800ms · 1 error") {
				t.Errorf("header = %q", lines[0])
			}
		})
	}
}

func TestTextDetails(t *testing.T) {
	tests := []struct {
		name    string
		after   string // the span line the detail follows
		want    string // text of a line soon after it
		wantNot string // text that must not appear anywhere
	}{
		{name: "sandbox id is cut to 12 characters", after: "│  └─ runtime.v1.RuntimeService/RunPodSandbox",
			want: "sandbox=3f2a1b4c5d6e  rpc=OK", wantNot: "3f2a1b4c5d6e7"},
		{name: "numeric gRPC code is named", after: "└─ ✗ runtime.v1.RuntimeService/StartContainer",
			want: "container=web  container.id=9e8d7c6b5a4f  rpc=Internal"},
		{name: "error message beneath the failed span", after: "└─ ✗ runtime.v1.RuntimeService/StartContainer",
			want: `✗ ERROR: starting container "web": exec: "nginx": executable file not found in $PATH`},
		{name: "image name in full", after: "└─ crio.image.pull", want: "image=docker.io/library/nginx:1.27"},
		{name: "orphan says its parent is missing", after: " runtime.v1.RuntimeService/Version",
			want: "parent 00000000000000d0 not in this trace (shown as a root)"},
	}
	lines := renderText(t, sampleTrace(), waterfall.Options{Width: 160})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i, _ := spanLine(t, lines, 0, strings.TrimSpace(tc.after))
			found := false
			for _, l := range lines[i+1 : min(i+4, len(lines))] {
				found = found || strings.Contains(l, tc.want)
			}
			if !found {
				t.Errorf("no %q within 3 lines after %q:\n%s", tc.want, tc.after, strings.Join(lines, "\n"))
			}
			if tc.wantNot != "" && strings.Contains(strings.Join(lines, "\n"), tc.wantNot) {
				t.Errorf("output contains %q", tc.wantNot)
			}
		})
	}
}

// TestTextBars checks that bars are placed and sized in proportion to the
// spans' offsets and durations, at several widths.
func TestTextBars(t *testing.T) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(id, parent, name string, from, to time.Duration) otlpreceiver.Span {
		return otlpreceiver.Span{TraceID: "t1", SpanID: id, ParentSpanID: parent, Name: name, Service: "svc",
			Start: base.Add(from), End: base.Add(to), StatusCode: otlpreceiver.StatusUnset}
	}
	spans := []otlpreceiver.Span{
		mk("1", "", "whole", 0, 100*time.Millisecond),
		mk("2", "1", "first-half", 0, 50*time.Millisecond),
		mk("3", "1", "third-quarter", 50*time.Millisecond, 75*time.Millisecond),
		mk("4", "1", "instant", 99*time.Millisecond, 99*time.Millisecond),
	}
	tests := []struct {
		name     string
		width    int
		wantCols int
	}{
		{name: "narrow terminal", width: 80, wantCols: 80},
		{name: "default width", width: 0, wantCols: waterfall.DefaultWidth},
		{name: "wide terminal", width: 200, wantCols: 200},
		{name: "below the minimum is raised", width: 20, wantCols: waterfall.MinWidth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines := renderText(t, spans, waterfall.Options{Width: tc.width})
			_, whole := spanLine(t, lines, 0, "whole")
			from, full := barOf(t, whole)
			if from != 0 {
				t.Fatalf("root bar starts at cell %d, want 0: %q", from, whole)
			}
			if w := utf8.RuneCountInString(whole); w != tc.wantCols {
				t.Errorf("line is %d columns, want %d: %q", w, tc.wantCols, whole)
			}
			checks := []struct {
				span      string
				from, len float64 // as fractions of the full bar
			}{
				{span: "├─ first-half", from: 0, len: 0.5},
				{span: "├─ third-quarter", from: 0.5, len: 0.25},
				{span: "└─ instant", from: 0.99, len: 0}, // still one block
			}
			for _, c := range checks {
				_, line := spanLine(t, lines, 0, c.span)
				gotFrom, gotLen := barOf(t, line)
				wantFrom, wantLen := c.from*float64(full), max(c.len*float64(full), 1)
				if diff(float64(gotFrom), wantFrom) > 1 || diff(float64(gotLen), wantLen) > 1 {
					t.Errorf("%s: bar at %d+%d of %d cells, want about %.1f+%.1f:\n%s",
						c.span, gotFrom, gotLen, full, wantFrom, wantLen, line)
				}
			}
		})
	}
}

// barOf returns where the bar of a span line starts (in cells after the
// opening │) and how many cells it fills.
func barOf(t *testing.T, line string) (from, n int) {
	t.Helper()
	open := strings.LastIndex(line[:strings.LastIndex(line, "│")], "│")
	if open < 0 {
		t.Fatalf("no bar frame in %q", line)
	}
	cells := []rune(line[open+len("│") : strings.LastIndex(line, "│")])
	from = -1
	for i, c := range cells {
		if c == '█' {
			if from < 0 {
				from = i
			}
			n++
		}
	}
	if from < 0 {
		t.Fatalf("no bar in %q", line)
	}
	return from, n
}

func diff(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestTextColorAndEdgeCases(t *testing.T) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		spans   []otlpreceiver.Span
		opts    waterfall.Options
		want    []string
		wantNot []string
	}{
		{
			name:    "no colour unless asked",
			spans:   sampleTrace(),
			opts:    waterfall.Options{Width: 120},
			wantNot: []string{"\x1b["},
		},
		{
			name:  "colour paints errors red and resets",
			spans: sampleTrace(),
			opts:  waterfall.Options{Width: 120, Color: true},
			want:  []string{"\x1b[1;31m✗ ERROR: starting container", "\x1b[0m", "\x1b[36mkubelet"},
		},
		{
			name:  "no spans",
			spans: nil,
			want:  []string{"No spans."},
		},
		{
			name: "parent cycle: both spans shown, none dropped",
			spans: []otlpreceiver.Span{
				{TraceID: "t", SpanID: "a", ParentSpanID: "b", Name: "cycle-a", Start: base, End: base.Add(time.Millisecond)},
				{TraceID: "t", SpanID: "b", ParentSpanID: "a", Name: "cycle-b", Start: base, End: base.Add(time.Millisecond)},
			},
			want: []string{" cycle-a ", "└─ cycle-b "},
		},
		{
			name: "error without message falls back to the exception event",
			spans: []otlpreceiver.Span{{TraceID: "t", SpanID: "a", Name: "boom", StatusCode: otlpreceiver.StatusError,
				Start: base, End: base.Add(time.Second),
				Events: []otlpreceiver.Event{{Name: "exception", Attributes: map[string]string{"exception.message": "disk full"}}}}},
			want: []string{"✗ ERROR: disk full", "? ", "1.00s"},
		},
		{
			name: "long name is cut with an ellipsis",
			spans: []otlpreceiver.Span{{TraceID: "t", SpanID: "a", Name: strings.Repeat("n", 100),
				Start: base, End: base.Add(time.Second)}},
			want: []string{strings.Repeat("n", 55) + "…"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := strings.Join(renderText(t, tc.spans, tc.opts), "\n")
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(out, w) {
					t.Errorf("output contains %q:\n%s", w, out)
				}
			}
			if n := len(tc.spans); n > 0 {
				for _, s := range tc.spans {
					if !strings.Contains(out, s.Name[:min(len(s.Name), 20)]) {
						t.Errorf("span %q dropped", s.Name)
					}
				}
			}
		})
	}
}
