package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// quickExport makes spans leave within a tenth of a second and an absent
// collector be probed often, so each case takes about a second.
const quickExport = "tracing_export_interval = \"100ms\"\ntracing_probe_interval = \"200ms\"\n"

// TestTracingPrecedence runs the built daemon with settings in the
// environment, the config file and on the command line, and watches where
// the spans of a traced CRI call arrive: at the collector the environment,
// the file or the flag names, with the service name the winner sets, or
// nowhere. The order it proves, lowest first: defaults, OTEL_* environment,
// file, flags, and OTEL_SDK_DISABLED=true over everything.
func TestTracingPrecedence(t *testing.T) {
	recv := map[string]*otlpreceiver.Receiver{}
	for _, name := range []string{"env", "file", "flag"} {
		r, err := otlpreceiver.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.Stop)
		recv[name] = r
	}
	addr := func(name string) string { return recv[name].Addr() }

	tests := []struct {
		name        string
		env         []string
		file        string // [crio.tracing] keys besides quickExport
		flags       []string
		wantAt      string // receiver that gets the spans; "" none
		wantService string
	}{
		{
			name:        "environment endpoint and service name",
			env:         []string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + addr("env"), "OTEL_SERVICE_NAME=from-env"},
			file:        "enable_tracing = true\n",
			wantAt:      "env",
			wantService: "from-env",
		},
		{
			name:        "the signal-specific variable beats the generic one",
			env:         []string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + addr("file"), "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://" + addr("env")},
			file:        "enable_tracing = true\n",
			wantAt:      "env",
			wantService: "crio-trace",
		},
		{
			name:        "the file beats the environment",
			env:         []string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + addr("env"), "OTEL_SERVICE_NAME=from-env"},
			file:        "enable_tracing = true\ntracing_endpoint = \"" + addr("file") + "\"\ntracing_service_name = \"from-file\"\n",
			wantAt:      "file",
			wantService: "from-file",
		},
		{
			name:        "a flag beats the file and the environment",
			env:         []string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + addr("env")},
			file:        "enable_tracing = true\ntracing_endpoint = \"" + addr("file") + "\"\n",
			flags:       []string{"--tracing-endpoint", addr("flag")},
			wantAt:      "flag",
			wantService: "crio-trace",
		},
		{
			name:        "--enable-tracing turns on what the file leaves off",
			file:        "enable_tracing = false\ntracing_endpoint = \"" + addr("file") + "\"\n",
			flags:       []string{"--enable-tracing"},
			wantAt:      "file",
			wantService: "crio-trace",
		},
		{
			name:  "--enable-tracing=false turns off what the file turns on",
			file:  "enable_tracing = true\ntracing_endpoint = \"" + addr("file") + "\"\n",
			flags: []string{"--enable-tracing=false"},
		},
		{
			name:  "an endpoint alone does not enable tracing",
			env:   []string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + addr("env")},
			flags: []string{"--tracing-endpoint", addr("flag")},
		},
		{
			name:  "OTEL_SDK_DISABLED=true beats the file and the flag",
			env:   []string{"OTEL_SDK_DISABLED=true"},
			file:  "enable_tracing = true\ntracing_endpoint = \"" + addr("file") + "\"\n",
			flags: []string{"--enable-tracing"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range recv {
				r.Reset()
			}
			d := startWith(t, tc.env, "[crio.tracing]\n"+quickExport+tc.file, tc.flags...)
			rt := runtimeapi.NewRuntimeServiceClient(testutil.DialCRI(t, d.Socket))
			var traceIDs []string
			call := func() {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				ctx, id := testutil.SampledParent(ctx)
				if _, err := rt.Version(ctx, &runtimeapi.VersionRequest{}); err != nil {
					t.Fatalf("Version: %v", err)
				}
				traceIDs = append(traceIDs, id)
			}
			if tc.wantAt == "" {
				// Tracing must be off, not merely waiting for a collector.
				if !strings.Contains(d.Stderr.String(), "tracing=off") {
					t.Errorf("serving line does not say tracing=off:\n%s", d.Stderr.String())
				}
				for range 5 {
					call()
				}
			} else {
				// The collector may be probed before the first call is traced.
				testutil.WaitFor(t, 20*time.Second, "a span at the "+tc.wantAt+" collector", func() bool {
					call()
					return len(mine(recv[tc.wantAt].Spans(), traceIDs)) > 0
				})
			}
			if code := d.Stop(t); code != 0 {
				t.Fatalf("exit code %d after SIGTERM, want 0\n%s", code, d.Stderr.String())
			}
			// The daemon flushed before exiting: what has not arrived now never will.
			for name, r := range recv {
				got := mine(r.Spans(), traceIDs)
				switch {
				case name != tc.wantAt && len(got) > 0:
					t.Errorf("%d span(s) at the %s collector, want none there (want them at %q)", len(got), name, tc.wantAt)
				case name == tc.wantAt:
					for _, s := range got {
						if s.Service != tc.wantService {
							t.Errorf("span %s has service.name %q, want %q", s.Name, s.Service, tc.wantService)
						}
					}
				}
			}
		})
	}
}

// TestRuntimePrecedence checks the two non-tracing settings a flag can
// override: the socket and the log level.
func TestRuntimePrecedence(t *testing.T) {
	dir := testutil.SocketDir(t)
	fileSock, flagSock := filepath.Join(dir, "file.sock"), filepath.Join(dir, "flag.sock")
	tests := []struct {
		name      string
		file      string
		flags     []string
		wantSock  string
		wantDebug bool // the per-call "cri call" line is logged at debug
	}{
		{name: "file socket and level", file: "[crio.api]\nlisten = \"" + fileSock + "\"\n[crio.runtime]\nlog_level = \"debug\"\n",
			wantSock: fileSock, wantDebug: true},
		{name: "flags beat the file", file: "[crio.api]\nlisten = \"" + fileSock + "\"\n[crio.runtime]\nlog_level = \"debug\"\n",
			flags: []string{"--listen", flagSock, "--log-level", "info"}, wantSock: flagSock},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "crio-trace.conf")
			if err := os.WriteFile(cfg, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			d := testutil.StartDaemon(t, daemonBin, cleanEnv(nil), append([]string{"--config", cfg}, tc.flags...)...)
			d.Socket = tc.wantSock // WaitServing fails unless the daemon serves here
			d.WaitServing(t)
			rt := runtimeapi.NewRuntimeServiceClient(testutil.DialCRI(t, tc.wantSock))
			if _, err := rt.Version(t.Context(), &runtimeapi.VersionRequest{}); err != nil {
				t.Fatalf("Version: %v", err)
			}
			if code := d.Stop(t); code != 0 {
				t.Fatalf("exit code %d after SIGTERM, want 0\n%s", code, d.Stderr.String())
			}
			if got := strings.Contains(d.Stderr.String(), `msg="cri call"`); got != tc.wantDebug {
				t.Errorf("debug line for the call logged: %t, want %t\n%s", got, tc.wantDebug, d.Stderr.String())
			}
		})
	}
}

// startWith starts the daemon on a fresh socket with a config file holding
// file, the environment env (and nothing else of OTEL_*), and flags, and
// waits until it serves.
func startWith(t *testing.T, env []string, file string, flags ...string) *testutil.Daemon {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "crio-trace.conf")
	if err := os.WriteFile(cfg, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(testutil.SocketDir(t), "crio.sock")
	args := append([]string{"--listen", sock, "--config", cfg}, flags...)
	d := testutil.StartDaemon(t, daemonBin, cleanEnv(env), args...)
	d.WaitServing(t)
	return d
}

// cleanEnv is the test's environment without any OTEL_* variable, plus env.
func cleanEnv(env []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OTEL_") {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// mine returns the spans of spans that belong to one of the traces in ids:
// the receivers are shared by the cases, and a case must see only its own.
func mine(spans []otlpreceiver.Span, ids []string) []otlpreceiver.Span {
	var out []otlpreceiver.Span
	for _, s := range spans {
		for _, id := range ids {
			if s.TraceID == id {
				out = append(out, s)
				break
			}
		}
	}
	return out
}
