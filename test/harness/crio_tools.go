package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// crioInstallScript builds CRI-O; relative to the repository root.
const crioInstallScript = "hack/install-crio.sh"

// CrioTools are the absolute paths of what running CRI-O needs besides
// Tools: crio, pinns and the runc wrapper built by hack/install-crio.sh
// into Tools.BinDir, and Debian's conmon.
type CrioTools struct {
	Crio, Pinns string
	// RuncWrapper is hack/runc-oom, CRI-O's runtime_path; it execs
	// Tools.Runc (see its package comment for why it exists).
	RuncWrapper string
	Conmon      string
}

// FindCrioTools locates CRI-O's binaries and fails t naming every missing
// one and the command that builds it. With CRIO_TRACE_E2E=install it runs
// hack/install-crio.sh first if something is missing.
func FindCrioTools(t testing.TB, tools Tools) CrioTools {
	t.Helper()
	ct, missing := locateCrio(tools)
	script := filepath.Join(tools.RepoRoot, crioInstallScript)
	if len(missing) > 0 && os.Getenv(E2EEnv) == "install" {
		t.Logf("%s=install: running %s for %s", E2EEnv, crioInstallScript, strings.Join(missing, ", "))
		out, err := exec.CommandContext(t.Context(), "bash", script).CombinedOutput()
		if err != nil {
			t.Fatalf("%s failed: %v\n%s", crioInstallScript, err, out)
		}
		ct, missing = locateCrio(tools)
	}
	if len(missing) > 0 {
		t.Fatalf("CRI-O missing:\n  %s\nbuild it (as root, on Debian 12; ~4.5 min of CPU cold) with:\n  %s\n"+
			"or set %s=install to let the test run it, or %s=skip to skip these tests",
			strings.Join(missing, "\n  "), script, E2EEnv, E2EEnv)
	}
	return ct
}

// locateCrio fills in CrioTools and lists what is missing, with reasons.
func locateCrio(tools Tools) (CrioTools, []string) {
	var ct CrioTools
	var missing []string
	for _, b := range []struct {
		dst  *string
		name string
	}{
		{&ct.Crio, "crio"},
		{&ct.Pinns, "pinns"},
		{&ct.RuncWrapper, "runc-oom"},
	} {
		p := filepath.Join(tools.BinDir, b.name)
		if err := isExecutable(p); err != nil {
			missing = append(missing, fmt.Sprintf("%s (built by %s): %v", b.name, crioInstallScript, err))
			continue
		}
		*b.dst = p
	}
	if p, err := lookPath("conmon"); err != nil {
		missing = append(missing, fmt.Sprintf("conmon (Debian package conmon): %v", err))
	} else {
		ct.Conmon = p
	}
	return ct, missing
}

// crioPortScript builds crio-kit: CRI-O with crio-trace's kit ported in.
const crioPortScript = "hack/crio-port.sh"

// CrioKit returns the path of crio-kit, CRI-O v1.34.0 with crio-trace's
// tracing kit ported in by hack/crio-port, for CrioOptions.Binary. It fails
// t naming the command that builds it when it is missing.
func CrioKit(t testing.TB, tools Tools) string {
	t.Helper()
	p := filepath.Join(tools.BinDir, "crio-kit")
	if err := isExecutable(p); err != nil {
		t.Fatalf("crio-kit (CRI-O + kit) missing: %v\nbuild it (~4.5 min of CPU cold) with:\n  %s\n(or run `sudo make anchors`, which builds it)",
			err, filepath.Join(tools.RepoRoot, crioPortScript))
	}
	return p
}
