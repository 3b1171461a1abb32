package main

import (
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/config"
)

// TestFlagDefaultsAreConfigDefaults pins every flag's default to the value
// config.Default() gives the setting it overrides, so --help cannot show a
// default the daemon does not run with.
func TestFlagDefaultsAreConfigDefaults(t *testing.T) {
	def := config.Default()
	_, fs := newFlags(io.Discard)
	tests := []struct {
		flag, want string
	}{
		{flag: "listen", want: def.Crio.API.Listen},
		{flag: "runtime-endpoint", want: def.Crio.Runtime.RuntimeEndpoint},
		{flag: "log-level", want: def.Crio.Runtime.LogLevel},
		{flag: "enable-tracing", want: strconv.FormatBool(def.Crio.Tracing.Enabled)},
		{flag: "tracing-endpoint", want: def.Crio.Tracing.Endpoint},
		{flag: "tracing-sampling-rate-per-million", want: strconv.Itoa(def.Crio.Tracing.SamplingRatePerMillion)},
	}
	for _, tc := range tests {
		t.Run(tc.flag, func(t *testing.T) {
			f := fs.Lookup(tc.flag)
			if f == nil {
				t.Fatalf("no flag --%s", tc.flag)
			}
			if f.DefValue != tc.want {
				t.Errorf("--%s default %q, config.Default() has %q", tc.flag, f.DefValue, tc.want)
			}
		})
	}
}

// TestApplyOnlyGivenFlags checks that a flag overrides the file's value only
// when it was given: a flag left at its default must not reset the file.
func TestApplyOnlyGivenFlags(t *testing.T) {
	fromFile := func() config.Config {
		c := config.Default()
		c.Crio.API.Listen = "/file/crio.sock"
		c.Crio.Runtime.LogLevel = "debug"
		c.Crio.Runtime.RuntimeEndpoint = "unix:///file/runtime.sock"
		c.Crio.Tracing.Enabled = true
		c.Crio.Tracing.Endpoint = "file.example:4317"
		c.Crio.Tracing.SamplingRatePerMillion = 7
		return c
	}
	tests := []struct {
		name    string
		args    []string
		want    func(*config.Config)
		wantErr string
	}{
		{name: "no flags keep the file", args: nil, want: func(*config.Config) {}},
		{
			name: "every flag given",
			args: []string{"--listen", "/flag/crio.sock", "--log-level", "warn", "--runtime-endpoint", "/flag/rt.sock",
				"--enable-tracing=false", "--tracing-endpoint", "flag.example:4317", "--tracing-sampling-rate-per-million", " 42 "},
			want: func(c *config.Config) {
				c.Crio.API.Listen = "/flag/crio.sock"
				c.Crio.Runtime.LogLevel = "warn"
				c.Crio.Runtime.RuntimeEndpoint = "/flag/rt.sock"
				c.Crio.Tracing.Enabled = false
				c.Crio.Tracing.Endpoint = "flag.example:4317"
				c.Crio.Tracing.SamplingRatePerMillion = 42
			},
		},
		{
			name: "a flag given with its default value still wins",
			args: []string{"--tracing-sampling-rate-per-million", "0"},
			want: func(c *config.Config) { c.Crio.Tracing.SamplingRatePerMillion = 0 },
		},
		{
			name:    "a rate that is not a number names the flag and the range",
			args:    []string{"--tracing-sampling-rate-per-million", "lots"},
			wantErr: `--tracing-sampling-rate-per-million = "lots" is invalid: accepted an integer from 0 to 1000000`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, fs := newFlags(io.Discard)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatalf("parse %q: %v", tc.args, err)
			}
			got := fromFile()
			err := f.apply(fs, &got)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("apply error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			want := fromFile()
			tc.want(&want)
			if got.Crio.API != want.Crio.API || got.Crio.Runtime != want.Crio.Runtime ||
				got.Crio.Tracing.Enabled != want.Crio.Tracing.Enabled || got.Crio.Tracing.Endpoint != want.Crio.Tracing.Endpoint ||
				got.Crio.Tracing.SamplingRatePerMillion != want.Crio.Tracing.SamplingRatePerMillion {
				t.Errorf("after apply:\n got %+v %+v %s\nwant %+v %+v %s", got.Crio.API, got.Crio.Runtime, got.Crio.Tracing,
					want.Crio.API, want.Crio.Runtime, want.Crio.Tracing)
			}
		})
	}
}
