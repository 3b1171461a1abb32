package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput checks that kvstore refuses bad input before serving, with
// a message naming the flag or the key and what is accepted.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "kv.sock")
	badKey := filepath.Join(dir, "bad-key.toml")
	badRate := filepath.Join(dir, "bad-rate.toml")
	for path, body := range map[string]string{
		badKey:  "[kvstore.tracing]\ntracing_sampler = 1\n",
		badRate: "[kvstore.tracing]\ntracing_sampling_rate_per_million = -5\n",
	} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{name: "no listen", args: nil, wantCode: 2, want: `--listen = "" is invalid: accepted an absolute unix socket path`},
		{name: "relative listen", args: []string{"--listen", "kv.sock"}, wantCode: 2, want: `--listen = "kv.sock" is invalid`},
		{name: "bad log level", args: []string{"--listen", sock, "--log-level", "loud"}, wantCode: 2, want: `--log-level = "loud" is invalid: accepted debug, info, warn or error`},
		{name: "rate flag out of range", args: []string{"--listen", sock, "--tracing-sampling-rate-per-million", "2000000"}, wantCode: 1, want: "--tracing-sampling-rate-per-million = 2000000 is invalid: accepted an integer from 0 to 1000000"},
		{name: "unknown key", args: []string{"--listen", sock, "--config", badKey}, wantCode: 1, want: "unknown key(s) kvstore.tracing.tracing_sampler"},
		{name: "bad value", args: []string{"--listen", sock, "--config", badRate}, wantCode: 1, want: `kvstore.tracing.tracing_sampling_rate_per_million = "-5" is invalid: accepted an integer from 0 to 1000000`},
		{name: "missing file", args: []string{"--listen", sock, "--config", filepath.Join(dir, "none.toml")}, wantCode: 1, want: "none.toml"},
		{name: "stray argument", args: []string{"--listen", sock, "serve"}, wantCode: 2, want: `unexpected arguments ["serve"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			if code := run(tc.args, &out); code != tc.wantCode {
				t.Errorf("exit %d, want %d\n%s", code, tc.wantCode, out.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out.String())
			}
			if _, err := os.Stat(sock); err == nil {
				t.Error("kvstore created its socket although the input was bad")
			}
		})
	}
}
