package enhancements

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSource is a Go file with one marked region, indented as code in a
// function body is.
const fakeSource = `package fake

func f() {
	// guideline:begin step
	x := 1
	// guideline:begin inner
	_ = x
	// guideline:end inner
	// guideline:end step
}
`

// fakeConfig is a miniature `crio-trace config` output.
const fakeConfig = `[crio]

[crio.runtime]
# runtime_endpoint = ""

[crio.tracing]
# enable_tracing = false
# tracing_endpoint = "127.0.0.1:4317"
`

// TestCheckersCatchDrift runs each checker on small synthetic inputs and
// proves it accepts what is right and rejects a drifted snippet, a missing
// region, an unmarked Go block, a missing path and an unknown key.
func TestCheckersCatchDrift(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "server"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "server", "fake.go"), []byte(fakeSource), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "enhancements"), 0o755); err != nil {
		t.Fatal(err)
	}

	// check runs every checker over md the way the real tests do and
	// returns all errors.
	check := func(md string) []error {
		snips, errs := parseSnippets(md)
		for _, s := range snips {
			if err := checkSnippet(dir, s); err != nil {
				errs = append(errs, err)
			}
		}
		for _, r := range pathRefs(md, "enhancements") {
			if err := checkPath(dir, r); err != nil {
				errs = append(errs, err)
			}
		}
		for _, k := range configKeys(md) {
			if err := checkKey(fakeConfig, k); err != nil {
				errs = append(errs, err)
			}
		}
		return errs
	}

	tests := []struct {
		name    string
		md      string
		wantErr string // "" means no error at all
	}{
		{
			name: "matching snippet, nested markers dropped",
			md:   "<!-- snippet: server/fake.go#step -->\n```go\nx := 1\n_ = x\n```\n",
		},
		{
			name:    "drifted snippet",
			md:      "<!-- snippet: server/fake.go#step -->\n```go\nx := 2\n_ = x\n```\n",
			wantErr: `differs from its source at snippet line 1`,
		},
		{
			name:    "snippet with a line too many",
			md:      "<!-- snippet: server/fake.go#inner -->\n```go\n_ = x\nreturn\n```\n",
			wantErr: `differs from its source at snippet line 2`,
		},
		{
			name:    "region not marked in the source",
			md:      "<!-- snippet: server/fake.go#gone -->\n```go\n_ = x\n```\n",
			wantErr: `region "gone" has no`,
		},
		{
			name:    "source file missing",
			md:      "<!-- snippet: server/nope.go#step -->\n```go\n_ = x\n```\n",
			wantErr: `no such file`,
		},
		{
			name:    "go block without a marker",
			md:      "```go\nfmt.Println()\n```\n",
			wantErr: `without a <!-- snippet`,
		},
		{
			name:    "marker not followed by a go block",
			md:      "<!-- snippet: server/fake.go#step -->\nsome prose\n",
			wantErr: `is not followed by a ` + "```go block",
		},
		{
			name: "existing paths, directory, glob and link",
			md:   "See `server/fake.go`, `server/`, `server/*.go`, `go test ./server/...` and [the file](../server/fake.go#L3).\n",
		},
		{
			name:    "missing path in backticks",
			md:      "See `server/gone.go`.\n",
			wantErr: `"server/gone.go" does not exist`,
		},
		{
			name:    "glob matching nothing",
			md:      "See `server/*.rs`.\n",
			wantErr: `matches no file`,
		},
		{
			name:    "missing link target",
			md:      "See [deploy](../deploy/kind/).\n",
			wantErr: `"deploy/kind" does not exist`,
		},
		{
			name: "upstream paths, URLs and other words are not checked",
			md:   "`cri-o/cri-o:server/server.go` `https://x/server/y` `runtime.v1.RuntimeService/<Method>` `k8s.io/cri-api`\n",
		},
		{
			name: "known keys, tables and file names",
			md:   "`enable_tracing`, `tracing_endpoint`, `crio.runtime.runtime_endpoint`, `[crio.tracing]`, `internal/../server/fake.go` and tracing_test.go\n",
		},
		{
			name:    "unknown tracing key",
			md:      "Set `tracing_sampler` to 1.\n",
			wantErr: `key tracing_sampler is not in`,
		},
		{
			name:    "key under the wrong table",
			md:      "Set `crio.tracing.runtime_endpoint`.\n",
			wantErr: `key crio.tracing.runtime_endpoint is not in`,
		},
		{
			name: "span names are not keys",
			md:   "The `crio.image.pull` and `crio.sandbox.network` spans.\n",
		},
		{
			name:    "unknown table",
			md:      "```toml\n[crio.metrics]\n```\n",
			wantErr: `table [crio.metrics] is not in`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := errors.Join(check(tc.md)...)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("want no error, got:\n%v", err)
			case tc.wantErr != "" && err == nil:
				t.Errorf("want an error containing %q, got none", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("want an error containing %q, got:\n%v", tc.wantErr, err)
			}
		})
	}
}

// TestExtractRegion covers the region rules: dedent, duplicates, order.
func TestExtractRegion(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    string
		wantErr string
	}{
		{name: "dedents by the common prefix", src: "\t// guideline:begin r\n\t\tif x {\n\t\t\ty()\n\n\t\t}\n\t// guideline:end r\n", want: "if x {\n\ty()\n\n}\n"},
		{name: "blank lines around the region are dropped", src: "// guideline:begin r\n\n// Doc.\nfunc f() {}\n\n// guideline:end r\n", want: "// Doc.\nfunc f() {}\n"},
		{name: "begins twice", src: "// guideline:begin r\n// guideline:begin r\n// guideline:end r\n", wantErr: "begins twice"},
		{name: "ends before it begins", src: "// guideline:end r\n// guideline:begin r\n", wantErr: "before it begins"},
		{name: "no end", src: "// guideline:begin r\nx\n", wantErr: "has no"},
		{name: "a longer name is another region", src: "// guideline:begin r2\nx\n// guideline:end r2\n", wantErr: `region "r" has no`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := extractRegion(tc.src, "r")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want error containing %q, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
