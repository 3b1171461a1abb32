package harness

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Containerd is a containerd the harness started, with its own root, state,
// socket and configuration under one temporary directory.
type Containerd struct {
	root   string
	socket string
	proc   *Process
	tools  Tools
	lock   *os.File // flock held while the test runs; see sweep.go
	// argv and env start the process again on Restart.
	argv, env []string
	// stopped is set by Stop and cleared by Restart: cleanup does not ask a
	// containerd stopped on purpose to remove its pods.
	stopped bool
	// host is what containerd may leave outside its root, as found before
	// it started; cleanup removes only what was not there.
	host hostSnapshot
}

// ContainerdOptions change how StartContainerdWith runs containerd. The zero
// value is what StartContainerd does.
type ContainerdOptions struct {
	// Binary is the containerd executable to run instead of Debian's, e.g.
	// an upstream build with tracing plugins. It still uses Debian's shim
	// and runc. Empty means Tools.Containerd.
	Binary string
	// ExtraConfig is appended verbatim to the generated config.toml
	// (version 2): TOML tables for plugins the harness does not configure,
	// such as io.containerd.tracing.processor.v1.otlp. It must not repeat
	// a table the harness writes (grpc, the opt and cri plugins).
	ExtraConfig string
	// LogLevel is containerd's --log-level (default "info").
	LogLevel string
	// Wrapper is put in front of containerd's command line, e.g.
	// ["nsenter", "--mount=/proc/PID/ns/mnt", "--"] to run it in the mount
	// namespace a kubelet shares. It must exec containerd (keep its pid).
	Wrapper []string
	// PlainHTTPRegistries are more registries (host:port on 127.0.0.1)
	// containerd pulls from over plain HTTP, each under its own name, such
	// as a registry that asks for credentials.
	PlainHTTPRegistries []string
}

// socketName is containerd's socket in its root.
const socketName = "c.sock"

// maxSocketPath is the longest path a unix socket address holds on Linux.
const maxSocketPath = 107

// StartContainerd starts Debian's containerd with a configuration of its own
// (see containerd_config.go) that pulls through the loopback registry at
// registryAddr, and waits until its CRI socket answers Version. When t ends,
// every pod and container is removed, containerd is stopped by its pid,
// leftover processes and mounts under its root are removed, and the root is
// deleted. On failure the tail of containerd's log is printed.
func StartContainerd(t testing.TB, tools Tools, registryAddr string) *Containerd {
	t.Helper()
	return StartContainerdWith(t, tools, registryAddr, ContainerdOptions{})
}

// StartContainerdWith is StartContainerd with options: another containerd
// binary, extra configuration. Everything else, cleanup included, is the
// same.
func StartContainerdWith(t testing.TB, tools Tools, registryAddr string, opts ContainerdOptions) *Containerd {
	t.Helper()
	binary := tools.Containerd
	if opts.Binary != "" {
		if err := isExecutable(opts.Binary); err != nil {
			t.Fatalf("containerd binary: %v", err)
		}
		binary = opts.Binary
	}
	if swept, err := sweepStale(); err != nil {
		t.Logf("sweeping roots of earlier runs: %v", err)
	} else if len(swept) > 0 {
		t.Logf("swept roots earlier test processes left behind: %q", swept)
	}
	// A short directory: unix socket paths are limited to 107 bytes.
	root, err := os.MkdirTemp("", rootPrefix)
	if err != nil {
		t.Fatalf("creating containerd's root: %v", err)
	}
	c := &Containerd{root: root, socket: filepath.Join(root, socketName), tools: tools, host: snapshotHost()}
	if c.lock, err = lockRoot(root); err != nil {
		os.RemoveAll(root)
		t.Fatalf("%v", err)
	}
	if n := len(c.socket + ".ttrpc"); n > maxSocketPath {
		t.Fatalf("containerd socket path %q is %d bytes, over the %d unix sockets allow; set TMPDIR to a shorter directory", c.socket, n, maxSocketPath)
	}
	t.Cleanup(func() { c.cleanup(t) })

	cfg := containerdConfig{
		Root:         filepath.Join(root, "root"),
		State:        filepath.Join(root, "state"),
		Socket:       c.socket,
		Runc:         tools.Runc,
		RuncRoot:     filepath.Join(root, "runc"),
		OptDir:       filepath.Join(root, "opt"),
		CertsDir:     filepath.Join(root, "certs.d"),
		SandboxImage: PauseImage,
		Extra:        opts.ExtraConfig,
	}
	if cfg.CNIBinDir, cfg.CNIConfDir, err = setupCNI(root, tools); err != nil {
		t.Fatalf("%v", err)
	}
	if err := writeHosts(cfg.CertsDir, registryAddr); err != nil {
		t.Fatalf("%v", err)
	}
	for _, r := range opts.PlainHTTPRegistries {
		if err := writeHostsFor(cfg.CertsDir, r, []string{r}); err != nil {
			t.Fatalf("%v", err)
		}
	}
	cfgPath := filepath.Join(root, "config.toml")
	if err := writeConfig(cfgPath, cfg); err != nil {
		t.Fatalf("%v", err)
	}

	// containerd finds the shim on PATH, and the shim finds runc there too.
	path := filepath.Dir(tools.Shim) + ":" + filepath.Dir(tools.Runc) + ":" + os.Getenv("PATH")
	c.env = append(os.Environ(), "PATH="+path)
	level := opts.LogLevel
	if level == "" {
		level = "info"
	}
	c.argv = append(slices.Clone(opts.Wrapper), binary, "--config", cfgPath, "--log-level", level)
	c.launch(t)
	return c
}

// launch starts the containerd process and waits until it answers CRI
// Version, failing t otherwise.
func (c *Containerd) launch(t testing.TB) {
	t.Helper()
	start := time.Now()
	var err error
	c.proc, err = StartProcess("containerd", c.LogPath(), c.env, c.argv...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if err := c.waitReady(t.Context(), 30*time.Second); err != nil {
		t.Fatalf("containerd did not answer CRI Version: %v\ncontainerd log (tail):\n%s", err, c.proc.Tail(40))
	}
	t.Logf("containerd (pid %d) ready at %s in %s", c.proc.Pid(), c.Endpoint(), time.Since(start).Round(time.Millisecond))
}

// Stop stops containerd (SIGTERM, then SIGKILL after 15 s) and leaves its
// root, socket path, shims and containers in place, as a runtime restart
// does. Restart brings it back; if the test ends first, cleanup removes
// what is left without asking containerd.
func (c *Containerd) Stop(t testing.TB) {
	t.Helper()
	c.stopped = true
	if err := c.proc.Stop(15 * time.Second); err != nil {
		t.Fatalf("stopping containerd: %v", err)
	}
	t.Logf("containerd (pid %d) stopped", c.proc.Pid())
}

// Restart starts containerd again with the same binary, configuration and
// socket, stopping it first if it is running, and waits until it answers CRI
// Version. Pods and containers of the earlier process are recovered by
// containerd itself.
func (c *Containerd) Restart(t testing.TB) {
	t.Helper()
	if done, _ := c.proc.Exited(); !done {
		c.Stop(t)
	}
	c.launch(t)
	c.stopped = false
}

// Endpoint is the CRI endpoint, as crictl's --runtime-endpoint wants it.
func (c *Containerd) Endpoint() string { return "unix://" + c.socket }

// Socket is the path of containerd's socket.
func (c *Containerd) Socket() string { return c.socket }

// Root is the temporary directory holding everything of this containerd.
func (c *Containerd) Root() string { return c.root }

// containerdLogName is containerd's log file in its root.
const containerdLogName = "containerd.log"

// LogPath is the file containerd's output goes to.
func (c *Containerd) LogPath() string { return filepath.Join(c.root, containerdLogName) }

// Pid is the process id of containerd.
func (c *Containerd) Pid() int { return c.proc.Pid() }

// Dial connects to containerd's CRI services. The connection is closed when
// t ends.
func (c *Containerd) Dial(t testing.TB) (runtimeapi.RuntimeServiceClient, runtimeapi.ImageServiceClient) {
	t.Helper()
	return dialClients(t, "containerd", c.Endpoint())
}

// Name is "containerd".
func (c *Containerd) Name() string { return "containerd" }

func (c *Containerd) dial() (*grpc.ClientConn, error) { return dialCRI(c.Endpoint()) }

// waitReady polls CRI Version until containerd answers, exits, or the
// timeout passes.
func (c *Containerd) waitReady(ctx context.Context, timeout time.Duration) error {
	return waitCRI(ctx, c.proc, c.socket, "containerd", timeout)
}
