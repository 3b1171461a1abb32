package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Crio is a CRI-O the harness started, with its storage, state, socket,
// configuration and logs under one temporary directory.
type Crio struct {
	root   string
	socket string
	proc   *Process
	lock   *os.File // flock held while the test runs; see sweep.go
	// argv and env start the process again on Restart.
	argv, env []string
	// stopped is set by Stop and cleared by Restart: cleanup does not ask a
	// CRI-O stopped on purpose to remove its pods.
	stopped bool
	// host is what CRI-O may leave outside its root, as found before it
	// started; cleanup removes only what was not there.
	host hostSnapshot
	// stock is set when the binary is upstream CRI-O, not crio-kit.
	stock bool
}

// CrioOptions change how StartCrio runs CRI-O. The zero value runs it with
// its own tracing off.
type CrioOptions struct {
	// Tracing, when set, switches CRI-O's own tracing on ([crio.tracing]
	// enable_tracing) and exports every span (sampling rate 1000000 per
	// million) over OTLP gRPC to this host:port.
	Tracing string
	// ExtraConfig is written as a drop-in file to CRI-O's config directory
	// (crio.conf.d), read after the harness's crio.conf: TOML tables that
	// override or add to it.
	ExtraConfig string
	// LogLevel is CRI-O's --log-level (default "info").
	LogLevel string
	// Binary is the crio binary to run instead of the stock one that
	// hack/install-crio.sh builds: CrioKit gives CRI-O with crio-trace's
	// kit ported in. It takes the same configuration.
	Binary string
	// Wrapper is put in front of CRI-O's command line, as
	// ContainerdOptions.Wrapper is (it must exec CRI-O and keep its pid).
	Wrapper []string
}

// crioRootPrefix names CRI-O roots the harness creates under os.TempDir.
const crioRootPrefix = "crio-trace-crio-"

// crioStopGrace bounds CRI-O's SIGTERM shutdown. Measured: well under a
// second without tracing or with a collector, 13-28 s with tracing on and
// no collector answering (it waits out its exporter).
const crioStopGrace = 60 * time.Second

// StartCrio starts CRI-O (built by hack/install-crio.sh) with a
// configuration of its own (see crio_config.go) that pulls through the
// loopback registry at registryAddr, and waits until its socket answers CRI
// Version. When t ends, every pod and container is removed, CRI-O is
// stopped by its pid, leftover processes and mounts under its root are
// removed, so are the files and cgroups it left on the host for the pods of
// this run (see crio_cleanup.go), and the root is deleted. On failure the
// tail of CRI-O's log is printed.
func StartCrio(t testing.TB, tools Tools, registryAddr string, opts CrioOptions) *Crio {
	t.Helper()
	ct := FindCrioTools(t, tools)
	if opts.Binary != "" {
		ct.Crio = opts.Binary
	}
	if swept, err := sweepStale(); err != nil {
		t.Logf("sweeping roots of earlier runs: %v", err)
	} else if len(swept) > 0 {
		t.Logf("swept roots earlier test processes left behind: %q", swept)
	}
	root, err := os.MkdirTemp("", crioRootPrefix)
	if err != nil {
		t.Fatalf("creating CRI-O's root: %v", err)
	}
	c := &Crio{root: root, socket: filepath.Join(root, "crio.sock"), host: snapshotHost(), stock: opts.Binary == ""}
	if c.lock, err = lockRoot(root); err != nil {
		os.RemoveAll(root)
		t.Fatalf("%v", err)
	}
	if n := len(c.socket); n > maxSocketPath {
		t.Fatalf("CRI-O socket path %q is %d bytes, over the %d unix sockets allow; set TMPDIR to a shorter directory", c.socket, n, maxSocketPath)
	}
	t.Cleanup(func() { c.cleanup(t) })

	cfgPath, cfgDir, err := c.writeFiles(tools, ct, registryAddr, opts)
	if err != nil {
		t.Fatalf("%v", err)
	}
	regConf, regDir, err := writeRegistries(root, registryAddr)
	if err != nil {
		t.Fatalf("%v", err)
	}
	level := opts.LogLevel
	if level == "" {
		level = "info"
	}
	c.env = append(os.Environ(), "PATH="+monitorPath(tools, ct), runcEnv+"="+tools.Runc)
	c.argv = append(slices.Clone(opts.Wrapper), ct.Crio, "--config", cfgPath, "--config-dir", cfgDir,
		// Hidden flags of CRI-O: the registries configuration to use instead
		// of /etc/containers/registries.conf{,.d}.
		"--registries-conf", regConf, "--registries-conf-dir", regDir,
		"--log-level", level)
	c.launch(t)
	return c
}

// runcEnv tells hack/runc-oom where the real runc is.
const runcEnv = "CRIO_TRACE_RUNC"

// monitorPath is the PATH CRI-O and conmon run with: the directories of
// conmon and runc first.
func monitorPath(tools Tools, ct CrioTools) string {
	return filepath.Dir(ct.Conmon) + ":" + filepath.Dir(tools.Runc) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

// writeFiles writes the configuration, the drop-in directory (with
// opts.ExtraConfig), the signature policy and the CNI setup under the root,
// and returns the config file and drop-in directory.
func (c *Crio) writeFiles(tools Tools, ct CrioTools, registryAddr string, opts CrioOptions) (cfgPath, cfgDir string, err error) {
	r := c.root
	cfg := crioConfig{
		Root: filepath.Join(r, "storage"), RunRoot: filepath.Join(r, "run"),
		LogDir: filepath.Join(r, "logs"), StateDir: filepath.Join(r, "state"), Socket: c.socket,
		Pinns: ct.Pinns, NamespacesDir: filepath.Join(r, "ns"), ExitsDir: filepath.Join(r, "exits"),
		AttachDir: filepath.Join(r, "attach"), HooksDir: filepath.Join(r, "hooks"),
		CDIDir: filepath.Join(r, "cdi"), KeysDir: filepath.Join(r, "keys"),
		IrqbalanceFile: filepath.Join(r, "state", "irqbalance"), IrqbalanceRestore: filepath.Join(r, "state", "irqbalance-restore"),
		RuncWrapper: ct.RuncWrapper, Runc: tools.Runc, Conmon: ct.Conmon, RuncRoot: filepath.Join(r, "runc"),
		MonitorPath: monitorPath(tools, ct), SignaturePolicy: filepath.Join(r, "policy.json"),
		PauseImage: PauseImage, Tracing: opts.Tracing,
	}
	for _, d := range []string{cfg.LogDir, cfg.StateDir, cfg.HooksDir, cfg.CDIDir, cfg.KeysDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", "", fmt.Errorf("creating %s: %w", d, err)
		}
	}
	if err := os.WriteFile(cfg.SignaturePolicy, []byte(insecureAcceptAnything), 0o644); err != nil {
		return "", "", fmt.Errorf("writing the signature policy: %w", err)
	}
	if cfg.CNIBinDir, cfg.CNIConfDir, err = setupCNI(r, tools); err != nil {
		return "", "", err
	}
	cfgPath, cfgDir = filepath.Join(r, "crio.conf"), c.ConfigDir()
	if err := os.MkdirAll(cfgDir, 0o755); err != nil {
		return "", "", fmt.Errorf("creating crio.conf.d: %w", err)
	}
	if opts.ExtraConfig != "" {
		if err := os.WriteFile(filepath.Join(cfgDir, "99-test.conf"), []byte(opts.ExtraConfig), 0o644); err != nil {
			return "", "", fmt.Errorf("writing the extra CRI-O config: %w", err)
		}
	}
	return cfgPath, cfgDir, writeCrioConfig(cfgPath, cfg)
}

// launch starts the CRI-O process and waits until it answers CRI Version,
// failing t otherwise.
func (c *Crio) launch(t testing.TB) {
	t.Helper()
	start := time.Now()
	var err error
	c.proc, err = StartProcess("crio", c.LogPath(), c.env, c.argv...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if err := waitCRI(t.Context(), c.proc, c.socket, "cri-o", time.Minute); err != nil {
		t.Fatalf("CRI-O did not answer CRI Version: %v\nCRI-O log (tail):\n%s", err, c.proc.Tail(40))
	}
	t.Logf("CRI-O (pid %d) ready at %s in %s", c.proc.Pid(), c.Endpoint(), time.Since(start).Round(time.Millisecond))
}

// Stop stops CRI-O (SIGTERM; after 60 s, SIGQUIT for its stacks, then
// SIGKILL: see stopCrio) and leaves its root,
// conmons and containers in place, as a runtime restart does. Restart
// brings it back; if the test ends first, cleanup removes what is left
// without asking CRI-O.
func (c *Crio) Stop(t testing.TB) {
	t.Helper()
	c.stopped = true
	start := time.Now()
	if stacks, err := stopCrio(c.proc, crioStopGrace); err != nil {
		t.Fatalf("stopping CRI-O: %v\n%s", err, stacks)
	}
	t.Logf("CRI-O (pid %d) stopped in %s", c.proc.Pid(), time.Since(start).Round(time.Millisecond))
}

// Restart starts CRI-O again with the same configuration and socket,
// stopping it first if it is running, and waits until it answers CRI
// Version. CRI-O restores the pods and containers of the earlier process.
func (c *Crio) Restart(t testing.TB) {
	t.Helper()
	if done, _ := c.proc.Exited(); !done {
		c.Stop(t)
	}
	c.launch(t)
	c.stopped = false
}

// Name is "crio".
func (c *Crio) Name() string { return "crio" }

// Endpoint is the CRI endpoint, as crictl's --runtime-endpoint wants it.
func (c *Crio) Endpoint() string { return "unix://" + c.socket }

// Socket is the path of CRI-O's socket.
func (c *Crio) Socket() string { return c.socket }

// Root is the temporary directory holding everything of this CRI-O.
func (c *Crio) Root() string { return c.root }

// LogPath is the file CRI-O's output goes to.
func (c *Crio) LogPath() string { return filepath.Join(c.root, "crio.log") }

// ConfigDir is CRI-O's drop-in configuration directory (crio.conf.d): a
// file written there and a SIGHUP to Pid make CRI-O re-read it, for the
// options CRI-O reloads.
func (c *Crio) ConfigDir() string { return filepath.Join(c.root, "crio.conf.d") }

// Pid is the process id of CRI-O.
func (c *Crio) Pid() int { return c.proc.Pid() }

// Dial connects to CRI-O's CRI services. The connection is closed when t
// ends.
func (c *Crio) Dial(t testing.TB) (runtimeapi.RuntimeServiceClient, runtimeapi.ImageServiceClient) {
	t.Helper()
	return dialClients(t, "CRI-O", c.Endpoint())
}

// removeAll stops and removes every container and pod of this CRI-O.
func (c *Crio) removeAll(ctx context.Context) error {
	return removeAllPods(ctx, c.Endpoint(), time.Minute)
}
