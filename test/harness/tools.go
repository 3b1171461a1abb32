package harness

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// installScript is the installer's path relative to the repository root.
const installScript = "hack/install-e2e-deps.sh"

// Tools are the absolute paths of the binaries the real-runtime tests run.
type Tools struct {
	// BinDir is the installer's build directory ($HOME/.cache/crio-trace/bin
	// unless CRIO_TRACE_CACHE says otherwise).
	BinDir string
	// Built by hack/install-e2e-deps.sh into BinDir.
	Crane, Crictl, Critest, Pause, CNILoopback string
	// Installed from Debian packages, found on PATH.
	Containerd, Shim, Runc string
	// Busybox is a statically linked busybox (Debian's busybox-static).
	Busybox string
	// RepoRoot is the root of this repository (where go.mod is).
	RepoRoot string
}

// FindTools locates the tools hack/install-e2e-deps.sh provides and fails t,
// naming every missing one and the command that installs it. With
// CRIO_TRACE_E2E=install it runs the installer first if something is
// missing.
func FindTools(t testing.TB) Tools {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("finding the repository root: %v", err)
	}
	tools, missing := locate(root)
	if len(missing) > 0 && os.Getenv(E2EEnv) == "install" {
		t.Logf("%s=install: running %s for %s", E2EEnv, installScript, strings.Join(missing, ", "))
		cmd := exec.CommandContext(t.Context(), "bash", filepath.Join(root, installScript))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s failed: %v\n%s", installScript, err, out)
		}
		tools, missing = locate(root)
	}
	if len(missing) > 0 {
		t.Fatalf("real-runtime tools missing:\n  %s\ninstall them (as root, on Debian 12) with:\n  %s\n"+
			"or set %s=install to let the test run it, or %s=skip to skip these tests",
			strings.Join(missing, "\n  "), filepath.Join(root, installScript), E2EEnv, E2EEnv)
	}
	return tools
}

// locate fills in Tools and lists what is missing, each with a reason.
func locate(root string) (Tools, []string) {
	tools := Tools{RepoRoot: root}
	var missing []string
	binDir, err := installerBinDir(root)
	if err != nil {
		return tools, []string{err.Error()}
	}
	tools.BinDir = binDir
	for _, b := range []struct {
		dst  *string
		name string
	}{
		{&tools.Crane, "crane"},
		{&tools.Crictl, "crictl"},
		{&tools.Critest, "critest"},
		{&tools.Pause, "pause"},
		{&tools.CNILoopback, "cni-loopback"},
	} {
		p := filepath.Join(binDir, b.name)
		if err := isExecutable(p); err != nil {
			missing = append(missing, fmt.Sprintf("%s (built by the installer): %v", b.name, err))
			continue
		}
		*b.dst = p
	}
	for _, b := range []struct {
		dst        *string
		name, from string
	}{
		{&tools.Containerd, "containerd", "Debian package containerd"},
		{&tools.Shim, "containerd-shim-runc-v2", "Debian package containerd"},
		{&tools.Runc, "runc", "Debian package runc"},
	} {
		p, err := lookPath(b.name)
		if err != nil {
			missing = append(missing, fmt.Sprintf("%s (%s): %v", b.name, b.from, err))
			continue
		}
		*b.dst = p
	}
	if err := isStatic(busyboxPath); err != nil {
		missing = append(missing, fmt.Sprintf("static %s (Debian package busybox-static): %v", busyboxPath, err))
	} else {
		tools.Busybox = busyboxPath
	}
	return tools, missing
}

// busyboxPath is where Debian's busybox-static installs its binary.
const busyboxPath = "/bin/busybox"

// lookPath finds name on PATH, then in the sbin directories a root shell
// has but `go test` started from a user's PATH may lack.
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return filepath.Abs(p)
	}
	for _, dir := range []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		p := filepath.Join(dir, name)
		if isExecutable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%q not found on PATH or in the sbin directories", name)
}

func isExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%q is not an executable file", p)
	}
	return nil
}

// isStatic reports an error unless p is an ELF executable without an
// interpreter, i.e. one that runs inside an otherwise empty image.
func isStatic(p string) error {
	f, err := elf.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return fmt.Errorf("%q is dynamically linked", p)
		}
	}
	return nil
}

// installerBinDir asks the installer where it builds tools, so the cache
// location has one definition.
func installerBinDir(root string) (string, error) {
	out, err := exec.Command("bash", filepath.Join(root, installScript), "--print-bin-dir").Output()
	if err != nil {
		return "", fmt.Errorf("asking %s for its bin dir: %w", installScript, err)
	}
	dir := string(bytes.TrimSpace(out))
	if !filepath.IsAbs(dir) {
		return "", fmt.Errorf("%s printed bin dir %q, want an absolute path", installScript, dir)
	}
	return dir, nil
}

// repoRoot walks up from the working directory (a package directory under
// `go test`) to the directory holding the installer.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, installScript)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New(installScript + " not found above the working directory")
		}
		dir = parent
	}
}

// cacheDir is the directory above BinDir: the harness keeps image layouts
// next to the tools.
func (tl Tools) cacheDir() string { return filepath.Dir(tl.BinDir) }
