package enhancements

import (
	"os"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// guideline is the file under test, relative to this package.
const guideline = "distributed-tracing-with-opentelemetry.md"

// root is the repository root, relative to this package.
const root = ".."

func readGuideline(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(guideline)
	if err != nil {
		t.Fatalf("reading the guideline: %v", err)
	}
	return string(b)
}

// TestGuidelineSnippets proves every Go block of the guideline is, byte for
// byte, a marked region of compiled source.
func TestGuidelineSnippets(t *testing.T) {
	snips, errs := parseSnippets(readGuideline(t))
	for _, err := range errs {
		t.Error(err)
	}
	// The porting guide has a snippet per step; far fewer means the
	// guideline lost its worked example.
	if len(snips) < 12 {
		t.Fatalf("found %d snippets, want at least 12", len(snips))
	}
	for _, s := range snips {
		t.Run(s.ID(), func(t *testing.T) {
			if err := checkSnippet(root, s); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestGuidelinePaths proves every repository path the guideline names
// exists.
func TestGuidelinePaths(t *testing.T) {
	refs := pathRefs(readGuideline(t), "enhancements")
	if len(refs) < 20 {
		t.Fatalf("found %d repository paths, want at least 20: is the checker still reading the guideline?", len(refs))
	}
	for _, ref := range refs {
		if err := checkPath(root, ref); err != nil {
			t.Error(err)
		}
	}
}

// TestGuidelineConfigKeys proves every configuration key and table the
// guideline mentions is printed by `crio-trace config`, built from this
// tree.
func TestGuidelineConfigKeys(t *testing.T) {
	refs := configKeys(readGuideline(t))
	seen := map[string]bool{}
	for _, r := range refs {
		seen[r.Key] = true
	}
	for _, k := range []string{"enable_tracing", "tracing_endpoint", "tracing_sampling_rate_per_million", "[crio.tracing]"} {
		if !seen[k] {
			t.Errorf("the guideline never mentions %s; is the checker still reading it?", k)
		}
	}
	cfg := crioTraceConfig(t)
	for _, r := range refs {
		if err := checkKey(cfg, r); err != nil {
			t.Error(err)
		}
	}
}

// crioTraceConfig returns what `crio-trace config`, built from this tree,
// prints.
func crioTraceConfig(t *testing.T) string {
	t.Helper()
	r := testutil.Run(t, daemonBin, nil, "config")
	if r.Code != 0 {
		t.Fatalf("crio-trace config: exit %d\n%s", r.Code, r.Stderr)
	}
	return r.Stdout
}

// TestGuidelineSections proves the guideline keeps the enhancement
// template's shape and has no section left to do.
func TestGuidelineSections(t *testing.T) {
	md := readGuideline(t)
	if !strings.HasPrefix(md, "---\ntitle: distributed-tracing-with-opentelemetry\n") {
		t.Error("front matter must open the file and keep the title")
	}
	for _, h := range []string{
		"# Distributed Tracing with OpenTelemetry",
		"## Release Signoff Checklist",
		"## Summary",
		"## Motivation",
		"### Goals",
		"### Non-Goals",
		"## Proposal",
		"### User Stories",
		"### Implementation Details/Notes/Constraints",
		"### Risks and Mitigations",
		"## Design Details",
		"### Open Questions",
		"### Test Plan",
		"### Graduation Criteria",
		"### Upgrade / Downgrade Strategy",
		"## Implementation History",
		"## Drawbacks",
		"## Alternatives",
	} {
		if !strings.Contains(md, "\n"+h) {
			t.Errorf("heading %q is missing", h)
		}
	}
	for i, line := range strings.Split(md, "\n") {
		if strings.Contains(line, "TODO") {
			t.Errorf("line %d still says TODO: %s", i+1, line)
		}
	}
}
