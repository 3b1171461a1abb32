package daemon_test

import (
	"net"
	"os"
	"strings"
	"testing"
)

// tracingKeys are the [crio.tracing] keys `crio-trace config` must show:
// CRI-O's three and the tracing_ extensions.
var tracingKeys = []string{
	"enable_tracing", "tracing_endpoint", "tracing_sampling_rate_per_million",
	"tracing_protocol", "tracing_tls", "tracing_tls_ca_file", "tracing_tls_cert_file",
	"tracing_tls_key_file", "tracing_service_name", "tracing_sampling_rules",
	"tracing_export_queue_size", "tracing_export_batch_size", "tracing_export_interval",
	"tracing_export_timeout", "tracing_probe_interval",
}

func TestConfigSubcommand(t *testing.T) {
	stdout, stderr, code := runCLI(t, "config")
	if code != 0 {
		t.Fatalf("crio-trace config exit code = %d, want 0\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "[crio.tracing]") {
		t.Errorf("output has no [crio.tracing] table:\n%s", stdout)
	}
	for _, k := range tracingKeys {
		if !strings.Contains(stdout, "\n# "+k+" = ") {
			t.Errorf("output has no commented %q line", k)
		}
	}
	// Every line is a comment, a blank or a table header: the printed file
	// changes nothing, and a daemon started with it serves.
	for _, l := range strings.Split(stdout, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "[") {
			t.Errorf("uncommented line %q", l)
		}
	}
	d := startDaemon(t, socketPath(t), "--config", writeConfig(t, stdout))
	if code := d.Stop(t); code != 0 {
		t.Errorf("daemon started with the printed config exited %d, want 0", code)
	}
}

func TestInvalidSettingsStopStartUp(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		config string // written to a file passed with --config when set
		want   []string
	}{
		{name: "rate above a million", args: []string{"--tracing-sampling-rate-per-million", "2000000"},
			want: []string{"tracing_sampling_rate_per_million", "2000000", "0 to 1000000"}},
		{name: "rate not a number", args: []string{"--tracing-sampling-rate-per-million", "many"},
			want: []string{"tracing-sampling-rate-per-million", "0 to 1000000"}},
		{name: "unknown log level", args: []string{"--log-level", "loud"},
			want: []string{"log_level", "loud", "debug, info, warn, error"}},
		{name: "endpoint not host:port", args: []string{"--tracing-endpoint", "nonsense"},
			want: []string{"tracing_endpoint", "nonsense", "host:port"}},
		{name: "unknown key in the config file", config: "[crio.tracing]\ntracing_endpiont = \"127.0.0.1:4317\"\n",
			want: []string{"crio.tracing.tracing_endpiont", "unknown key"}},
		{name: "bad rate in the config file", config: "[crio.tracing]\ntracing_sampling_rate_per_million = -1\n",
			want: []string{"tracing_sampling_rate_per_million", "0 to 1000000"}},
		{name: "unknown flag", args: []string{"--tracing-rate", "5"},
			want: []string{"tracing-rate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sock := socketPath(t)
			args := append([]string{"--listen", sock}, tt.args...)
			if tt.config != "" {
				args = append(args, "--config", writeConfig(t, tt.config))
			}
			_, stderr, code := runCLI(t, args...)
			if code == 0 {
				t.Fatalf("daemon accepted %q and exited 0", args)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(sock); err == nil {
				t.Errorf("a daemon that refused to start left a socket at %s", sock)
			}
		})
	}
}

func TestSocketMode(t *testing.T) {
	sock := socketPath(t)
	d := startDaemon(t, sock)
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode = %s, want a socket with 0660", fi.Mode())
	}
	if code := d.Stop(t); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
	if _, err := os.Stat(sock); err == nil {
		t.Errorf("socket %s still there after a clean shutdown", sock)
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	sock := socketPath(t)
	// A socket file nobody listens on, as a crashed daemon leaves it.
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("stale socket not left behind: %v", err)
	}
	d := startDaemon(t, sock)
	if _, err := criVersion(t.Context(), sock); err != nil {
		t.Fatalf("Version on the replaced socket: %v", err)
	}
	if code := d.Stop(t); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
}

func TestOccupiedPathIsRefused(t *testing.T) {
	tests := []struct {
		name string
		// occupy puts something at sock and returns what must still work
		// after the second daemon gave up.
		occupy func(t *testing.T, sock string) func(t *testing.T)
		want   string
	}{
		{name: "socket of a live daemon", want: "another server is listening",
			occupy: func(t *testing.T, sock string) func(t *testing.T) {
				first := startDaemon(t, sock)
				return func(t *testing.T) {
					if first.Exited() {
						t.Fatalf("first daemon died:\n%s", first.Stderr.String())
					}
					if _, err := criVersion(t.Context(), sock); err != nil {
						t.Errorf("first daemon no longer serves: %v", err)
					}
				}
			}},
		{name: "regular file", want: "not a socket",
			occupy: func(t *testing.T, sock string) func(t *testing.T) {
				if err := os.WriteFile(sock, []byte("keep me"), 0o600); err != nil {
					t.Fatal(err)
				}
				return func(t *testing.T) {
					if b, err := os.ReadFile(sock); err != nil || string(b) != "keep me" {
						t.Errorf("file at the socket path = %q, %v; want it untouched", b, err)
					}
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sock := socketPath(t)
			stillFine := tt.occupy(t, sock)
			second := startProcess(t, "--listen", sock)
			code := second.Wait(t)
			if code == 0 {
				t.Fatalf("second daemon on an occupied %s exited 0", sock)
			}
			stderr := second.Stderr.String()
			if !strings.Contains(stderr, sock) || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not name %s and say %q:\n%s", sock, tt.want, stderr)
			}
			stillFine(t)
		})
	}
}
