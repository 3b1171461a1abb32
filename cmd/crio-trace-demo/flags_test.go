package main

import (
	"bytes"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, o options)
		wantErr string // "" = no error
	}{
		{name: "defaults", check: func(t *testing.T, o options) {
			if o.scenario.name != scenarioPodStart || o.width != 120 || o.timeout != defaultTimeout {
				t.Errorf("defaults = %s, %d, %s", o.scenario.name, o.width, o.timeout)
			}
			if filepath.Base(o.htmlPath) != "crio-trace-demo-pod-start.html" {
				t.Errorf("html = %q", o.htmlPath)
			}
		}},
		{name: "width from COLUMNS", env: map[string]string{"COLUMNS": "200"}, check: func(t *testing.T, o options) {
			if o.width != 200 {
				t.Errorf("width = %d, want 200", o.width)
			}
		}},
		{name: "flag beats COLUMNS", args: []string{"--width", "90"}, env: map[string]string{"COLUMNS": "200"},
			check: func(t *testing.T, o options) {
				if o.width != 90 {
					t.Errorf("width = %d, want 90", o.width)
				}
			}},
		{name: "runtime endpoint made canonical", args: []string{"--runtime-endpoint", "/run/x.sock", "--timeout", "2m"},
			check: func(t *testing.T, o options) {
				if o.runtimeEndpoint != "unix:///run/x.sock" || o.timeout != 2*time.Minute {
					t.Errorf("endpoint = %q, timeout = %s", o.runtimeEndpoint, o.timeout)
				}
			}},
		{name: "bad scenario", args: []string{"--scenario", "x"}, wantErr: "accepted pod-start, slow-image-pull"},
		{name: "port out of range", args: []string{"--otlp-endpoint", "127.0.0.1:70000"}, wantErr: "--otlp-endpoint"},
		{name: "port zero", args: []string{"--otlp-endpoint", "127.0.0.1:0"}, wantErr: "port 1..65535"},
		{name: "negative timeout", args: []string{"--timeout", "-1s"}, wantErr: "--timeout -1s"},
		{name: "empty image", args: []string{"--app-image", " "}, wantErr: "--app-image"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseFlags(tc.args, &bytes.Buffer{}, env(tc.env))
			if tc.wantErr != "" {
				var ue usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want a usage error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFlags: %v", err)
			}
			tc.check(t, o)
		})
	}
}

func TestHelpNamesEveryFlag(t *testing.T) {
	var out bytes.Buffer
	_, err := parseFlags([]string{"--help"}, &out, func(string) string { return "" })
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error = %v, want flag.ErrHelp", err)
	}
	// Every flag parseFlags defines must be in the help, with an example.
	for _, name := range []string{"scenario", "otlp-endpoint", "runtime-endpoint", "html", "width", "timeout", "app-image", "sidecar-image"} {
		if !strings.Contains(out.String(), "--"+name+" ") || !strings.Contains(out.String(), "e.g. --"+name+" ") {
			t.Errorf("help lacks --%s or an example of it", name)
		}
	}
}
