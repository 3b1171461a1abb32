package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSplice(t *testing.T) {
	const gen = "## Results\n\nnew\n"
	tests := []struct {
		name, doc, want, wantErr string
	}{
		{
			name: "replaces what lies between the markers and keeps the prose",
			doc:  "# Perf\nintro\n<!-- summarize:begin: generated -->\nold\nolder\n<!-- summarize:end -->\nprose\n",
			want: "# Perf\nintro\n<!-- summarize:begin: generated -->\n## Results\n\nnew\n<!-- summarize:end -->\nprose\n",
		},
		{
			name: "empty region",
			doc:  "<!-- summarize:begin -->\n<!-- summarize:end -->\n",
			want: "<!-- summarize:begin -->\n## Results\n\nnew\n<!-- summarize:end -->\n",
		},
		{name: "no markers", doc: "# Perf\n", wantErr: "exactly one line"},
		{name: "end missing", doc: "<!-- summarize:begin -->\nx\n", wantErr: "has 1 and 0"},
		{name: "two regions", doc: "<!-- summarize:begin -->\n<!-- summarize:end -->\n<!-- summarize:begin -->\n<!-- summarize:end -->\n", wantErr: "has 2 and 2"},
		{name: "out of order", doc: "<!-- summarize:end -->\n<!-- summarize:begin -->\n", wantErr: "comes before"},
		{name: "a marker inside a line is not a marker", doc: "see `<!-- summarize:begin -->` here\n", wantErr: "has 0 and 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splice([]byte(tt.doc), gen)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("splice: err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("splice =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestParseMeta(t *testing.T) {
	out := sample + sample // two runs print the same skip twice
	m := parseMeta([]byte(out))
	if m.cpu != "AMD EPYC" {
		t.Errorf("cpu = %q, want AMD EPYC", m.cpu)
	}
	if len(m.skipped) != 1 || m.skipped[0] != "BenchmarkForward: not root" {
		t.Errorf("skipped = %q, want the one skip of the sample, once", m.skipped)
	}
}

// TestRunDoc runs the tool as make bench does and checks the document it
// rewrites: the prose around the markers untouched, the machine header
// with the run count and the skip, and the report under it a level down.
func TestRunDoc(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "performance.md")
	before := "# Performance\n\nprose before\n\n<!-- summarize:begin -->\nstale\n<!-- summarize:end -->\n\n## The targets\nprose after\n"
	if err := os.WriteFile(doc, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	fixed := machine{date: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC), cpus: 2, memory: "23 GiB",
		kernel: "Linux 6.18.0", goVer: "go1.26.8 linux/amd64", load: "1.00 0.50 0.25", command: "make bench"}
	o := options{doc: doc, machine: func() machine { return fixed }}
	var out strings.Builder
	if err := run(o, strings.NewReader(sample), &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		"# Performance\n\nprose before\n\n<!-- summarize:begin -->\n## The machine and the run\n",
		"| date | 2026-12-01 |",
		"| CPU | `AMD EPYC` (as go test names it), 2 logical CPUs |",
		"| runs | 2 of each benchmark",
		"- BenchmarkForward: not root",
		"## Results\n\n",
		"\n### One call, end to end (BenchmarkRPC)\n",
		"<!-- summarize:end -->\n\n## The targets\nprose after\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("document lacks %q; it is:\n%s", want, got)
		}
	}
	if strings.Contains(got, "stale") {
		t.Errorf("the old generated text survived:\n%s", got)
	}
	if !strings.Contains(out.String(), "\n## One call, end to end (BenchmarkRPC)\n") {
		t.Errorf("standard output should keep the report's own heading levels:\n%s", out.String())
	}
}

func TestRunDocLeavesADamagedDocumentAlone(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "performance.md")
	const text = "# Performance\nno markers\n"
	if err := os.WriteFile(doc, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	o := options{doc: doc, machine: func() machine { return machine{} }}
	err := run(o, strings.NewReader(sample), &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "exactly one line") {
		t.Fatalf("err = %v, want one naming the missing markers", err)
	}
	if b, _ := os.ReadFile(doc); string(b) != text {
		t.Errorf("the document changed to:\n%s", b)
	}
}

func TestThisMachine(t *testing.T) {
	m := thisMachine(time.Now(), "make bench")
	if m.cpus < 1 || !strings.HasPrefix(m.goVer, "go") || m.command != "make bench" {
		t.Errorf("thisMachine = %+v", m)
	}
	if _, err := os.Stat("/proc/meminfo"); err == nil && m.memory == "unknown" {
		t.Errorf("memory unknown although /proc/meminfo exists")
	}
	if got := memTotal(filepath.Join(t.TempDir(), "none")); got != "unknown" {
		t.Errorf("memTotal of a missing file = %q, want unknown", got)
	}
}
