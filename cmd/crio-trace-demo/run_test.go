package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunInProcess runs every scenario inside the test binary, so that the
// race detector and goleak watch the whole stack: collector, fan-out,
// crio-trace, kubelet's clients and their shutdown.
func TestRunInProcess(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "pod start", args: []string{"--scenario", "pod-start"},
			want: []string{"slowest step: ", "inside crio-trace"}},
		{name: "failing container", args: []string{"--scenario", "failing-container"},
			want: []string{"crio.container.start", "rpc.grpc.status_code=9 (FailedPrecondition)"}},
		{name: "tracing off", args: []string{"--scenario", "tracing-off"},
			want: []string{"only kubelet's spans"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Forwarding to a collector that is not there must not fail the run.
			args := append(tc.args, "--html", filepath.Join(t.TempDir(), "t.html"), "--otlp-endpoint", "127.0.0.1:1")
			var out, errOut bytes.Buffer
			code := run(t.Context(), args, &out, &errOut, func(string) string { return "" })
			if code != exitOK {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
			}
			for _, w := range append(tc.want, "could not be delivered", "Everything the demo started has been stopped.") {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q", w)
				}
			}
		})
	}
}
