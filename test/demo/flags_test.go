package demo_test

import (
	"strings"
	"testing"
)

// TestBadFlags checks that a bad command line exits 2 with a message that
// names the flag and what it accepts, before starting anything.
func TestBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "unknown scenario", args: []string{"--scenario", "nope"},
			want: []string{`--scenario "nope"`, "pod-start, slow-image-pull, failing-container, tracing-off"}},
		{name: "unknown flag", args: []string{"--bogus"}, want: []string{"-bogus"}},
		{name: "width too small", args: []string{"--width", "10"}, want: []string{"--width 10", "60 or more"}},
		{name: "width not a number", args: []string{"--width", "wide"}, want: []string{"-width"}},
		{name: "zero timeout", args: []string{"--timeout", "0s"}, want: []string{"--timeout", "positive duration"}},
		{name: "otlp endpoint without port", args: []string{"--otlp-endpoint", "localhost"},
			want: []string{`--otlp-endpoint "localhost"`, "host:port"}},
		{name: "runtime endpoint over tcp", args: []string{"--runtime-endpoint", "tcp://127.0.0.1:1234"},
			want: []string{"--runtime-endpoint", "unix:///"}},
		{name: "simulated scenario with a real runtime", args: []string{"--scenario", "slow-image-pull", "--runtime-endpoint", "unix:///run/containerd/containerd.sock"},
			want: []string{"--scenario slow-image-pull", "--runtime-endpoint"}},
		{name: "positional argument", args: []string{"pod-start"}, want: []string{`unexpected argument "pod-start"`}},
		{name: "every problem at once", args: []string{"--scenario", "x", "--width", "1"}, want: []string{"--scenario", "--width"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runDemo(t, tc.args...)
			if r.Code != 2 {
				t.Fatalf("exit status %d, want 2\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
			}
			for _, w := range append(tc.want, "--help") {
				if !strings.Contains(r.Stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.Stderr)
				}
			}
			if r.Stdout != "" {
				t.Errorf("a usage error started the demo anyway; stdout:\n%s", r.Stdout)
			}
		})
	}
}

// TestHelp checks that --help exits 0 and explains every flag and scenario.
func TestHelp(t *testing.T) {
	tests := []struct {
		name string
		arg  string
	}{
		{name: "double dash", arg: "--help"},
		{name: "short", arg: "-h"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runDemo(t, tc.arg)
			if r.Code != 0 {
				t.Fatalf("exit status %d, want 0; stderr:\n%s", r.Code, r.Stderr)
			}
			for _, w := range []string{
				"--scenario", "--otlp-endpoint", "--runtime-endpoint", "--html", "--width", "--timeout",
				"--app-image", "--sidecar-image",
				"pod-start", "slow-image-pull", "failing-container", "tracing-off",
				"e.g. --otlp-endpoint 127.0.0.1:4317", "Exit status",
			} {
				if !strings.Contains(r.Stdout, w) {
					t.Errorf("help lacks %q:\n%s", w, r.Stdout)
				}
			}
		})
	}
}
