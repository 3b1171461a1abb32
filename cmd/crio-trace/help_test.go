package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/config"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// TestHelp runs the built binary with --help and -h: exit 0, the usage on
// stderr with every flag, the defaults config.Default() holds, and the
// precedence rule; and a wrong flag: exit 2 with the usage and the flag.
func TestHelp(t *testing.T) {
	def := config.Default()
	wantHelp := []string{
		"Usage:",
		"crio-trace config",
		"-listen PATH", `(default "` + def.Crio.API.Listen + `")`,
		"-log-level", `(default "` + def.Crio.Runtime.LogLevel + `")`,
		"debug, info, warn, error",
		"-runtime-endpoint",
		"-enable-tracing",
		"-tracing-endpoint ADDRESS", `(default "` + def.Crio.Tracing.Endpoint + `")`,
		"-tracing-sampling-rate-per-million 0..1000000",
		`(default "` + strconv.Itoa(def.Crio.Tracing.SamplingRatePerMillion) + `")`,
		"-config FILE",
		"-version",
		"Flags override the config file; the file overrides OTEL_* environment variables",
		"OTEL_SDK_DISABLED=true turns tracing off",
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{name: "--help", args: []string{"--help"}, wantCode: 0, want: wantHelp},
		{name: "-h", args: []string{"-h"}, wantCode: 0, want: wantHelp},
		{name: "unknown flag", args: []string{"--tracing-endpont", "x"}, wantCode: 2,
			want: []string{"flag provided but not defined: -tracing-endpont", "Usage:"}},
		{name: "unknown subcommand", args: []string{"serve"}, wantCode: 2,
			want: []string{`unexpected argument "serve"`, `the only subcommand is "config"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testutil.Run(t, daemonBin, nil, tc.args...)
			if r.Code != tc.wantCode {
				t.Errorf("exit code %d, want %d", r.Code, tc.wantCode)
			}
			if r.Stdout != "" {
				t.Errorf("stdout %q, want nothing (usage and errors go to stderr)", r.Stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.Stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.Stderr)
				}
			}
		})
	}
}

// TestEnableTracingShowsNoDefault pins the one flag whose default is the
// zero value: the flag package prints no "(default …)" for it, which is
// right only while config.Default() leaves tracing off.
func TestEnableTracingShowsNoDefault(t *testing.T) {
	if config.Default().Crio.Tracing.Enabled {
		t.Fatal("config.Default() enables tracing: the design says enable_tracing defaults to false")
	}
	r := testutil.Run(t, daemonBin, nil, "--help")
	for _, l := range strings.Split(r.Stderr, "\n") {
		if strings.Contains(l, "enable OpenTelemetry tracing") && strings.Contains(l, "(default") {
			t.Errorf("--enable-tracing shows a default: %q", l)
		}
	}
}
