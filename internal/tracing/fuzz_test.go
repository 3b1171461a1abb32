package tracing

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The fuzz targets of the sampling rules. `make fuzz` runs each; a crasher
// lands in testdata/fuzz/<target>/ and stays there as a regression test.

// globOracle is a second, independent implementation of globMatch: dynamic
// programming over bytes, where cur[j] says pattern[:i+1] matches name[:j].
func globOracle(pattern, name string) bool {
	prev := make([]bool, len(name)+1)
	prev[0] = true
	for i := 0; i < len(pattern); i++ {
		cur := make([]bool, len(name)+1)
		if pattern[i] == '*' {
			cur[0] = prev[0]
			for j := 1; j <= len(name); j++ {
				cur[j] = prev[j] || cur[j-1]
			}
		} else {
			for j := 1; j <= len(name); j++ {
				cur[j] = prev[j-1] && pattern[i] == name[j-1]
			}
		}
		prev = cur
	}
	return prev[len(name)]
}

// ruleSeeds are rules and span names from the defaults, the docs and the
// edge cases of the glob.
var ruleSeeds = []struct{ rule, name string }{
	{"runtime.v1.ImageService/PullImage=always", "runtime.v1.ImageService/PullImage"},
	{"*/List*=never", "runtime.v1.RuntimeService/ListContainers"},
	{"*Status=never", "runtime.v1.ImageService/ImageStatus"},
	{"*/CreateContainer=250000", "runtime.v1.RuntimeService/CreateContainer"},
	{"a*b*c=1", "a--b--b--c"},
	{"**=0", ""},
	{"*a*a*a*a*a*b=1000000", strings.Repeat("a", 64)},
	{" = always", "x"},
	{"x=1000001", "x"},
	{"x=-1", "x"},
	{"x=+5", "x"},
	{"x=0x10", "x"},
	{"x==never", "x"},
	{"\x00*\xff=never", "\x00\xff"},
}

// FuzzGlobMatch checks globMatch against globOracle on any pattern and name.
func FuzzGlobMatch(f *testing.F) {
	for _, s := range ruleSeeds {
		pattern, _, _ := strings.Cut(s.rule, "=")
		f.Add(pattern, s.name)
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if len(pattern) > 512 || len(name) > 512 {
			return // the oracle is quadratic; longer inputs add nothing
		}
		if got, want := globMatch(pattern, name), globOracle(pattern, name); got != want {
			t.Fatalf("globMatch(%q, %q) = %t, want %t", pattern, name, got, want)
		}
	})
}

// FuzzParseRule: ParseRule either returns a rule that prints back to
// itself, with a rate in 0..1000000, or an error quoting the input; and
// Config.Validate reports exactly the rules ParseRule rejects, by index.
func FuzzParseRule(f *testing.F) {
	for _, s := range ruleSeeds {
		f.Add(s.rule)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRule(s)
		c := DefaultConfig()
		c.SamplingRules = []string{"*/X=always", s}
		verr := c.Validate()
		named := verr != nil && strings.Contains(verr.Error(), "tracing_sampling_rules[1]")
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("ParseRule(%q) error %q does not quote the rule", s, err)
			}
			if !named {
				t.Fatalf("Validate does not name the bad rule %q as tracing_sampling_rules[1]: %v", s, verr)
			}
			return
		}
		if named || verr != nil {
			t.Fatalf("ParseRule accepted %q but Validate says: %v", s, verr)
		}
		if r.Pattern == "" || r.Pattern != strings.TrimSpace(r.Pattern) || strings.Contains(r.Pattern, "=") {
			t.Fatalf("ParseRule(%q) pattern %q: want non-empty, trimmed, without '='", s, r.Pattern)
		}
		if r.PerMillion < 0 || r.PerMillion > 1_000_000 {
			t.Fatalf("ParseRule(%q) rate %d outside 0..1000000", s, r.PerMillion)
		}
		back, err := ParseRule(fmt.Sprintf("%s=%d", r.Pattern, r.PerMillion))
		if err != nil || back != r {
			t.Fatalf("ParseRule(%q) = %+v, which reads back as %+v, %v", s, r, back, err)
		}
	})
}

// FuzzSampler drives the installed sampler with any rule list, rate, span
// name, trace id and parent, and checks its decision against the rules as
// documented: a remote parent's sampled flag wins; for a root the first
// valid rule that matches decides, else the rate; 0 and below never
// samples, 1000000 and above always does, and rates in between sample the
// same trace ids TraceIDRatioBased does.
func FuzzSampler(f *testing.F) {
	for _, s := range ruleSeeds {
		f.Add(s.rule+"\n*=never", 500_000, s.name, uint64(0x7fff_ffff_ffff_ffff), uint8(0))
	}
	f.Add(strings.Join(exampleRules, "\n"), 1_000_000, "runtime.v1.ImageService/ImageStatus", uint64(1), uint8(0))
	f.Add(strings.Join(exampleRules, "\n"), 0, "runtime.v1.RuntimeService/ListContainers", uint64(1), uint8(1))
	f.Add("", -5, "x", uint64(1), uint8(2))
	f.Add("", 2_000_000, "x", uint64(1), uint8(0))
	f.Fuzz(func(t *testing.T, rulesText string, rate int, name string, low uint64, parent uint8) {
		rules := strings.Split(rulesText, "\n")
		if len(rules) > 64 || len(name) > 512 || len(rulesText) > 4096 {
			return
		}
		var tid trace.TraceID
		binary.BigEndian.PutUint64(tid[:8], 0x0123_4567_89ab_cdef)
		binary.BigEndian.PutUint64(tid[8:], low)
		ctx := context.Background()
		switch parent % 3 {
		case 1, 2:
			ctx = trace.ContextWithRemoteSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: tid, SpanID: trace.SpanID{1}, Remote: true,
				TraceFlags: trace.TraceFlags(parent%3-1) & trace.FlagsSampled,
			}))
		}
		p := sdktrace.SamplingParameters{ParentContext: ctx, TraceID: tid, Name: name, Kind: trace.SpanKindServer}
		got := NewSampler(rules, rate).ShouldSample(p).Decision == sdktrace.RecordAndSample

		var want bool
		switch parent % 3 {
		case 1:
			want = false
		case 2:
			want = true
		default:
			perMillion := rate
			for _, s := range rules {
				if r, err := ParseRule(s); err == nil && globOracle(r.Pattern, name) {
					perMillion = r.PerMillion
					break
				}
			}
			switch {
			case perMillion <= 0:
				want = false
			case perMillion >= 1_000_000:
				want = true
			default:
				want = sdktrace.TraceIDRatioBased(float64(perMillion)/1e6).ShouldSample(p).Decision == sdktrace.RecordAndSample
			}
		}
		if got != want {
			t.Fatalf("rules %q rate %d name %q trace %s parent %d: sampled %t, want %t", rules, rate, name, tid, parent%3, got, want)
		}
	})
}
