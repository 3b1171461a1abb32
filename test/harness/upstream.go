package harness

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// SystemsEnv set to "skip" skips, loudly, the tests that need upstream
// containerd when its build is missing; otherwise a missing build fails
// them.
const SystemsEnv = "CRIO_TRACE_SYSTEMS"

// buildTools builds upstream containerd with its tracing plugins; relative
// to the repository root.
const buildTools = "hack/systems/build-tools.sh"

// UpstreamContainerd returns the path of upstream containerd v1.6.20 built
// with its tracing plugins by hack/systems/build-tools.sh, or fails t (skips
// it with CRIO_TRACE_SYSTEMS=skip) naming the command that builds it. Pass
// it as ContainerdOptions.Binary.
func UpstreamContainerd(t testing.TB, tools Tools) string {
	t.Helper()
	script := filepath.Join(tools.RepoRoot, buildTools)
	out, err := exec.CommandContext(t.Context(), "bash", script, "--print-bin-dir").Output()
	if err != nil {
		t.Fatalf("asking %s for its bin dir: %v", script, err)
	}
	bin := filepath.Join(string(bytes.TrimSpace(out)), "containerd")
	if isExecutable(bin) == nil {
		return bin
	}
	msg := fmt.Sprintf("upstream containerd with tracing plugins is not built (%s missing); build it with:\n  %s containerd\n(or run `sudo make systems`)",
		bin, script)
	if os.Getenv(SystemsEnv) == "skip" {
		t.Skipf("SKIPPING %s: %s=skip is set and %s", t.Name(), SystemsEnv, msg)
	}
	t.Fatalf("%s\nor set %s=skip to skip this test", msg, SystemsEnv)
	return ""
}
