package enhancements

import (
	"errors"
	"strings"
	"testing"
)

// TestGuidelineIdentifiers proves every qualified Go name the guideline's
// prose names — tracing.NewTracer, Provider.Reload, otelgrpc.WithPropagators
// — is an exported name of a package in the build, or a method or field of
// such a type, so a reader never looks for something that is gone.
func TestGuidelineIdentifiers(t *testing.T) {
	refs := identRefs(readGuideline(t))
	if len(refs) < 30 {
		t.Fatalf("found %d Go names in the guideline's prose, want at least 30: is the checker still reading it?", len(refs))
	}
	idx, err := buildIndex(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		if err := checkIdent(idx, r); err != nil {
			t.Error(err)
		}
	}
}

// TestIdentCheckerCatchesDrift runs the name checker on small synthetic
// documents against a small index: it must accept names that exist and
// words that are not Go names, and reject each kind of name that is gone.
func TestIdentCheckerCatchesDrift(t *testing.T) {
	idx := goIndex{
		Names: map[string]map[string]bool{
			"tracing":  {"NewTracer": true, "Config": true, "Provider": true},
			"sdktrace": {"WithBatcher": true},
		},
		Members: map[string]map[string]bool{
			"Provider": {"Reload": true},
			"Config":   {"ApplyEnv": true, "Enabled": true},
		},
		TypePkgs: map[string]map[string]bool{
			"tracing.Config":   {"ApplyEnv": true, "Enabled": true},
			"tracing.Provider": {"Reload": true},
		},
	}
	tests := []struct {
		name    string
		md      string
		wantErr string // "" means accepted
	}{
		{name: "function, method, type member", md: "`tracing.NewTracer`, `Provider.Reload()`, `tracing.Config.ApplyEnv` and `tracing.NewTracer(scope).Start`\n"},
		{name: "alias and field", md: "`sdktrace.WithBatcher` sets `Config.Enabled`\n"},
		{name: "not Go names", md: "`k8s.io/cri-api`, `runtime.v1.RuntimeService/Version`, `cri-o/cri-o:internal/log/log.go`, `crio.image.pull`, `s.requestAttrs`, `server.go`\n"},
		{name: "code blocks are not prose", md: "```go\ntracing.Gone()\n```\n"},
		{name: "local variable listed as such", md: "`cfg.Crio.Tracing`\n"},
		{name: "gone function", md: "call `tracing.NewTracerProvider`\n", wantErr: "package tracing has no exported NewTracerProvider"},
		{name: "gone method", md: "`Provider.Restart`\n", wantErr: "no type Provider with an exported method or field Restart"},
		{name: "gone member of a package's type", md: "`tracing.Config.Apply`\n", wantErr: "tracing.Config has no exported method or field Apply"},
		{name: "unknown package", md: "`tracer.Start`\n", wantErr: `no package or import alias "tracer"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var errs []error
			for _, r := range identRefs(tc.md) {
				if err := checkIdent(idx, r); err != nil {
					errs = append(errs, err)
				}
			}
			err := errors.Join(errs...)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("rejected: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestIdentPromotion checks that a field or method of an embedded struct
// counts as one of the struct that embeds it, through two levels.
func TestIdentPromotion(t *testing.T) {
	idx := goIndex{
		Names:    map[string]map[string]bool{"tracing": {"Config": true, "Extensions": true, "Inner": true}},
		Members:  map[string]map[string]bool{"Inner": {"Deep": true}},
		TypePkgs: map[string]map[string]bool{"tracing.Inner": {"Deep": true}, "tracing.Extensions": {"ServiceName": true}},
		embeds:   map[string][]string{"tracing.Config": {"tracing.Extensions"}, "tracing.Extensions": {"tracing.Inner"}},
	}
	idx.promote()
	for _, text := range []string{"`tracing.Config.ServiceName`", "`Config.Deep`", "`tracing.Extensions.Deep`"} {
		for _, r := range identRefs(text + "\n") {
			if err := checkIdent(idx, r); err != nil {
				t.Error(err)
			}
		}
	}
	if r := identRefs("`tracing.Config.Gone`\n"); len(r) != 1 || checkIdent(idx, r[0]) == nil {
		t.Error("a name no embedded type has was accepted")
	}
}
