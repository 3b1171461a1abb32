package anchors

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/test/harness"
)

// column is one system the checks run against: a table column.
type column struct {
	// name heads the column.
	name string
	// svc is the service.name on the spans that count as the system's.
	svc string
	// runtime is the runtime that runs the pods: "crio" or "containerd".
	runtime string
	// front says crio-trace runs in front of the runtime and is what is
	// measured; the runtime's own tracing stays off.
	front bool
	// kit says the runtime is crio-kit: CRI-O with crio-trace's kit ported
	// in by hack/crio-port, measured with its own tracing, as CRI-O is.
	kit bool
}

// ours says the column is crio-trace's work, held to the anchors.
func (c column) ours() bool { return c.front || c.kit }

// Service names.
const (
	svcKubelet    = "kubelet"
	svcCrioTrace  = "crio-trace"
	svcCrio       = "crio"
	svcContainerd = "containerd"
)

// columns are the systems, anchors first.
var columns = []column{
	{name: "CRI-O v1.34.0", svc: svcCrio, runtime: "crio"},
	{name: "containerd v1.6.20", svc: svcContainerd, runtime: "containerd"},
	{name: "crio-trace → CRI-O", svc: svcCrioTrace, runtime: "crio", front: true},
	{name: "crio-trace → containerd", svc: svcCrioTrace, runtime: "containerd", front: true},
	{name: "CRI-O + kit", svc: svcCrio, runtime: "crio", kit: true},
}

// setup is how a check wants the measured system to run.
type setup struct {
	// tracing switches the system's tracing on, exporting to endpoint.
	tracing  bool
	endpoint string
	// rate is the sampling rate per million for calls without a sampled
	// parent (CRI-O's tracing_sampling_rate_per_million, containerd's
	// sampling_ratio × 10⁶, crio-trace's flag).
	rate int
	// debug runs the system at log level debug.
	debug bool
	// viaConfig gives crio-trace its tracing settings in a config file
	// (which SIGHUP re-reads) instead of flags (which override the file).
	viaConfig bool
}

// system is a running system: kubelet talks to endpoint.
type system struct {
	col      column
	endpoint string
	env      *harness.Env
	// logPath is the measured system's own log: CRI-O's, containerd's or
	// crio-trace's (not the runtime's behind it).
	logPath string
	// proc is the measured system's process (nil for the runtimes, whose
	// processes the harness owns).
	proc *harness.Process
	// configPath is crio-trace's config file when setup.viaConfig is set.
	configPath string
}

// log returns the measured system's log so far.
func (s *system) log(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(s.logPath)
	if err != nil {
		t.Fatalf("reading %s's log: %v", s.col.name, err)
	}
	return string(data)
}

// start brings the column's system up for t as su asks.
func (c column) start(t *testing.T, su setup) *system {
	t.Helper()
	harness.RequireRoot(t)
	level := "info"
	if su.debug {
		level = "debug"
	}
	own := su.tracing && !c.front // the runtime's own tracing
	var env *harness.Env
	switch c.runtime {
	case "crio":
		opts := harness.CrioOptions{LogLevel: level}
		if c.kit {
			opts.Binary = harness.CrioKit(t, harness.FindTools(t))
		}
		if own {
			opts.Tracing = su.endpoint
			opts.ExtraConfig = fmt.Sprintf("[crio.tracing]\ntracing_sampling_rate_per_million = %d\n", su.rate)
		}
		env = harness.StartWithCrio(t, opts)
	case "containerd":
		opts := harness.ContainerdOptions{Binary: harness.UpstreamContainerd(t, harness.FindTools(t)), LogLevel: level}
		if own {
			opts.ExtraConfig = harness.TracingConfigRatio(su.endpoint, float64(su.rate)/1e6)
		}
		env = harness.StartWith(t, opts)
	default:
		t.Fatalf("unknown runtime %q", c.runtime)
	}
	s := &system{col: c, endpoint: env.Runtime.Endpoint(), env: env, logPath: env.Runtime.LogPath()}
	if c.front {
		s.startFront(t, su, level)
	}
	return s
}

// startFront starts crio-trace in front of the runtime and points the
// system at it.
func (s *system) startFront(t *testing.T, su setup, level string) {
	t.Helper()
	if daemonBin == "" {
		t.Fatalf("the crio-trace binary was not built (%s=%q)", harness.E2EEnv, os.Getenv(harness.E2EEnv))
	}
	dir, err := os.MkdirTemp("", "cta-") // short: unix socket paths are limited
	if err != nil {
		t.Fatalf("creating crio-trace's directory: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "crio.sock")
	args := []string{daemonBin, "--listen", sock, "--runtime-endpoint", s.endpoint, "--log-level", level}
	if su.viaConfig {
		s.configPath = filepath.Join(dir, "crio-trace.conf")
		s.writeFrontConfig(t, su.tracing, su.endpoint, su.rate)
		args = append(args, "--config", s.configPath)
	} else {
		args = append(args, "--tracing-endpoint", su.endpoint, "--tracing-sampling-rate-per-million", strconv.Itoa(su.rate))
		if su.tracing {
			args = append(args, "--enable-tracing")
		}
	}
	s.logPath = filepath.Join(dir, "crio-trace.log")
	s.proc, err = harness.StartProcess("crio-trace", s.logPath, os.Environ(), args...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if err := s.proc.Stop(45 * time.Second); err != nil {
			t.Errorf("stopping crio-trace: %v", err)
		}
		if t.Failed() {
			t.Logf("crio-trace log (tail):\n%s", s.proc.Tail(30))
		}
	})
	err = waitFor(15*time.Second, func() error {
		if done, werr := s.proc.Exited(); done {
			return fmt.Errorf("crio-trace exited: %v\n%s", werr, s.proc.Tail(20))
		}
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
		}
		return err
	})
	if err != nil {
		t.Fatalf("crio-trace did not listen on %s: %v", sock, err)
	}
	s.endpoint = "unix://" + sock
}

// tracingTable is a [crio.tracing] table, the same for CRI-O and crio-trace.
func tracingTable(on bool, endpoint string, rate int) string {
	return fmt.Sprintf("[crio.tracing]\nenable_tracing = %t\ntracing_endpoint = %q\ntracing_sampling_rate_per_million = %d\n", on, endpoint, rate)
}

// writeFrontConfig writes crio-trace's config file.
func (s *system) writeFrontConfig(t *testing.T, on bool, endpoint string, rate int) {
	t.Helper()
	if err := os.WriteFile(s.configPath, []byte(tracingTable(on, endpoint, rate)), 0o644); err != nil {
		t.Fatalf("writing crio-trace's config: %v", err)
	}
}

// waitFor calls cond every 20 ms until it returns nil or timeout passes,
// and then returns its last error.
func waitFor(timeout time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
