package anchors

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/test/harness"
)

// outEnv names the file TestAnchors writes the table to; unset, it writes
// nothing.
const outEnv = "ANCHORS_OUT"

// versions are what the table was measured with.
var versions = []string{
	"CRI-O v1.34.0, built from the Go module proxy by hack/install-crio.sh, with Debian 12's conmon 2.1.6 and runc 1.1.5, cgroupfs",
	"containerd v1.6.20 (upstream, with its tracing plugins), built by hack/systems/build-tools.sh, with Debian 12's shim and runc",
	"crio-trace from this repository, in forward mode, the runtime behind it with its own tracing off",
	"CRI-O + kit: CRI-O v1.34.0 with crio-trace's tracing kit ported in by hack/crio-port (make crio-port; docs/crio-port.md), same config as CRI-O",
	"kubelet's CRI client k8s.io/cri-client v0.37.2 with the OpenTelemetry Go SDK v1.47.0",
}

// TestAnchors runs every probe against every system, fails if crio-trace is
// behind an anchor on any row, and writes the table to $ANCHORS_OUT.
func TestAnchors(t *testing.T) {
	harness.RequireRoot(t)
	if loadWindowErr != nil {
		t.Fatal(loadWindowErr)
	}
	var rows []row
	for _, p := range probes {
		cells := make([][]cell, len(columns))
		for i, c := range columns {
			t.Run(p.rows[0]+"/"+c.name, func(t *testing.T) {
				start := time.Now()
				cells[i] = p.run(t, c)
				t.Logf("%s in %s: %+v", c.name, time.Since(start).Round(time.Millisecond), cells[i])
			})
		}
		for r := range p.rows {
			rw := row{check: p.rows[r], how: p.how[r], cells: make([]cell, len(columns))}
			for i := range columns {
				if r < len(cells[i]) {
					rw.cells[i] = cells[i][r]
				}
			}
			rows = append(rows, rw)
		}
	}
	if out := os.Getenv(outEnv); out != "" {
		doc := markdown(columns, rows, versions, time.Now().UTC().Format("2006-01-02"))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, []byte(doc), 0o644); err != nil {
			t.Fatalf("writing %s: %v", out, err)
		}
		t.Logf("wrote %s", out)
	}
	for _, p := range behind(columns, rows) {
		t.Error(p)
	}
}
