package harness

import (
	"os"
	"testing"
)

// E2EEnv is the environment variable that controls the real-runtime tests:
// "skip" skips them (with a loud message) instead of failing where they
// cannot run, "install" lets FindTools run hack/install-e2e-deps.sh when a
// tool is missing. Any other value, or none, means: run, and fail loudly.
const E2EEnv = "CRIO_TRACE_E2E"

// Image names the harness makes pullable through containerd. The
// registry.k8s.io names are the ones containerd's sandbox_image and critest
// v1.30.0 use; hosts.toml routes them to the loopback registry.
const (
	PauseImage          = "registry.k8s.io/pause:3.9"
	CritestBusyboxImage = "registry.k8s.io/e2e-test-images/busybox:1.29-2"
)

// Env is a running registry and runtime (containerd or CRI-O), ready for
// CRI calls. Start and StartWith set every field but Crio; StartWithCrio
// every field but Containerd and ContainerdSocket. The processes stop when
// the test that started them ends.
type Env struct {
	// Runtime is the running runtime, containerd's or CRI-O's.
	Runtime Runtime
	// ContainerdSocket is the path of containerd's gRPC (and CRI) socket.
	ContainerdSocket string
	// RegistryAddr is the loopback registry's host:port.
	RegistryAddr string
	// PauseImage is the sandbox image containerd uses (PauseImage).
	PauseImage string
	// BusyboxImage is a busybox image on the loopback registry, named with
	// its 127.0.0.1 address.
	BusyboxImage string
	// BinDir is where the installer put crane, crictl, critest, pause and
	// cni-loopback.
	BinDir string
	// Root is the runtime's temporary directory (config, root, state, logs).
	Root string
	// Tools are the binaries the harness found.
	Tools Tools
	// Containerd is the running containerd (nil under StartWithCrio).
	Containerd *Containerd
	// Crio is the running CRI-O (nil under Start and StartWith).
	Crio *Crio
}

// Start brings up a registry and a containerd for t: RequireRoot, FindTools,
// StartRegistry, StartContainerd. Everything stops and is removed when t
// ends.
func Start(t testing.TB) *Env {
	t.Helper()
	return StartWith(t, ContainerdOptions{})
}

// StartWith is Start with options for containerd (another binary, extra
// configuration); see ContainerdOptions.
func StartWith(t testing.TB, opts ContainerdOptions) *Env {
	t.Helper()
	RequireRoot(t)
	tools := FindTools(t)
	reg := StartRegistry(t, tools)
	ctd := StartContainerdWith(t, tools, reg, opts)
	return &Env{
		Runtime:          ctd,
		ContainerdSocket: ctd.Socket(),
		RegistryAddr:     reg,
		PauseImage:       PauseImage,
		BusyboxImage:     reg + "/" + busyboxRepo + ":" + busyboxTag,
		BinDir:           tools.BinDir,
		Root:             ctd.Root(),
		Tools:            tools,
		Containerd:       ctd,
	}
}

// StartWithCrio brings up a registry and a CRI-O for t: RequireRoot,
// FindTools, StartRegistry, StartCrio with opts. Everything stops and is
// removed when t ends.
func StartWithCrio(t testing.TB, opts CrioOptions) *Env {
	t.Helper()
	RequireRoot(t)
	tools := FindTools(t)
	reg := StartRegistry(t, tools)
	c := StartCrio(t, tools, reg, opts)
	return &Env{
		Runtime:      c,
		RegistryAddr: reg,
		PauseImage:   PauseImage,
		BusyboxImage: reg + "/" + busyboxRepo + ":" + busyboxTag,
		BinDir:       tools.BinDir,
		Root:         c.Root(),
		Tools:        tools,
		Crio:         c,
	}
}

// RequireRoot fails t unless the test runs as root, because the real-runtime
// tests are worthless when silently skipped. Setting CRIO_TRACE_E2E=skip turns
// the failure into a skip that still says loudly what did not run.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Getenv(E2EEnv) == "skip" {
		t.Skipf("SKIPPING real-runtime test %s: %s=skip is set", t.Name(), E2EEnv)
	}
	if os.Geteuid() != 0 {
		t.Fatalf("real-runtime test %s needs root (containerd mounts overlayfs and runs runc); "+
			"run it as root, or set %s=skip to skip it", t.Name(), E2EEnv)
	}
}
