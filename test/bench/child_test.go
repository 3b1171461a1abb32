package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// childTimeout bounds a child's start and each control command: generous,
// for a machine whose two cores are shared with other builds.
const childTimeout = 60 * time.Second

// profileEnv, when set to a directory, makes every timed loop of the suite
// write a CPU profile and an allocation profile of each server process into
// it, named after the benchmark and the server.
const profileEnv = "CRIO_TRACE_BENCH_PROFILE"

// exactAllocsEnv set to 1 makes the allocation profiles of profileEnv hold
// every allocation instead of a sample (and the servers slow).
const exactAllocsEnv = "CRIO_TRACE_BENCH_EXACT_ALLOCS"

// child is a server process of the suite (see role_test.go), or any other
// process whose CPU time and RSS are measured (ctl is then false).
type child struct {
	name string
	pid  int
	// ctl is whether the process answers control commands: the suite's
	// own children do, a crio-trace daemon or a runtime does not.
	ctl bool
	// exitedThreads makes the meter read /proc/PID/stat (10 ms ticks, but
	// counting threads that exited) instead of schedstat: CRI-O ends the
	// OS threads it locks for namespace work, taking their CPU time out of
	// the schedstat sum.
	exitedThreads bool

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string // stdout, line by line; closed at EOF
	stderr *testutil.SyncBuffer
	mu     sync.Mutex // one command at a time
	done   chan struct{}
}

// startChild starts the test binary again as role with the extra
// environment vars and waits until it serves. The child ends, and is
// waited for, when tb ends.
func startChild(tb testing.TB, name, role string, vars ...string) *child {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{roleEnv + "=" + role}, vars...)...)
	c := &child{name: name, cmd: cmd, ctl: true, stderr: &testutil.SyncBuffer{}, lines: make(chan string, 16), done: make(chan struct{})}
	cmd.Stderr = c.stderr
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting %s: %v", name, err)
	}
	c.pid = cmd.Process.Pid
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	go func() { _ = cmd.Wait(); close(c.done) }()
	tb.Cleanup(func() { c.stop(tb) })
	if line, err := c.read(); err != nil || line != readyLine {
		tb.Fatalf("%s did not start: %q, %v\nstderr:\n%s", name, line, err, c.stderr.String())
	}
	return c
}

// read returns the next line the child printed.
func (c *child) read() (string, error) {
	select {
	case line, ok := <-c.lines:
		if !ok {
			return "", fmt.Errorf("%s exited", c.name)
		}
		return line, nil
	case <-time.After(childTimeout):
		return "", fmt.Errorf("%s: no answer within %s", c.name, childTimeout)
	}
}

// do sends one control command and returns the answer.
func (c *child) do(cmd string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := fmt.Fprintln(c.stdin, cmd); err != nil {
		return "", fmt.Errorf("%s: sending %q: %w", c.name, cmd, err)
	}
	reply, err := c.read()
	if err != nil {
		return "", err
	}
	if msg, ok := strings.CutPrefix(reply, "error: "); ok {
		return "", fmt.Errorf("%s: %s: %s", c.name, cmd, msg)
	}
	return reply, nil
}

// must is do, failing tb on an error.
func (c *child) must(tb testing.TB, cmd string) string {
	tb.Helper()
	reply, err := c.do(cmd)
	if err != nil {
		tb.Fatalf("%v\nstderr:\n%s", err, c.stderr.String())
	}
	return reply
}

// allocs returns the child's heap allocations so far: objects and bytes.
func (c *child) allocs(tb testing.TB) (objects, bytes int64) {
	tb.Helper()
	f := strings.Fields(c.must(tb, "allocs"))
	if len(f) != 2 {
		tb.Fatalf("%s: allocs answered %q", c.name, f)
	}
	objects, err1 := strconv.ParseInt(f[0], 10, 64)
	bytes, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		tb.Fatalf("%s: allocs answered %q", c.name, f)
	}
	return objects, bytes
}

// stop closes the child's stdin, which shuts it down, and waits; past
// childTimeout it kills it, by its pid.
func (c *child) stop(tb testing.TB) {
	if !c.ctl {
		return
	}
	_ = c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(childTimeout):
		_ = syscall.Kill(c.pid, syscall.SIGKILL)
		<-c.done
		tb.Errorf("%s (pid %d) did not stop within %s; killed\nstderr:\n%s", c.name, c.pid, childTimeout, c.stderr.String())
	}
}

// meter measures what processes spend over a timed loop: CPU time (procCPU)
// and, for children of the suite, heap allocations; and, when profileEnv is
// set, profiles them.
type meter struct {
	procs   []*child
	base    []usage // the reading at start, plus what exclude left out
	profile string  // directory, or empty
	bench   string
}

// usage is what one process spent: CPU time and heap allocations (objects
// and bytes; -1 when not known, for processes that are not the suite's).
type usage struct {
	cpu            time.Duration
	objects, bytes int64
}

// newMeter returns a meter over procs; start it right before the loop.
func newMeter(procs ...*child) *meter {
	return &meter{procs: procs, profile: os.Getenv(profileEnv)}
}

// read returns every process's usage so far. The control command that
// reads a child's allocations costs it some CPU: cpuLast reads the CPU time
// after it (at the start of a loop), otherwise before (at the end), so that
// the loop's figure never includes it.
func (m *meter) read(tb testing.TB, cpuLast bool) []usage {
	tb.Helper()
	out := make([]usage, len(m.procs))
	for i, p := range m.procs {
		out[i] = usage{objects: -1, bytes: -1}
		if !cpuLast {
			out[i].cpu = mustCPU(tb, p)
		}
		if p.ctl {
			out[i].objects, out[i].bytes = p.allocs(tb)
		}
		if cpuLast {
			out[i].cpu = mustCPU(tb, p)
		}
	}
	return out
}

// start takes the first reading.
func (m *meter) start(tb testing.TB) {
	tb.Helper()
	m.bench = strings.NewReplacer("/", "_", "=", "-", ",", "-").Replace(tb.Name())
	if m.profile != "" {
		for _, p := range m.procs {
			if p.ctl {
				p.must(tb, "memprofile "+filepath.Join(m.profile, m.bench+"."+p.name+".allocs.base"))
				p.must(tb, "cpuprofile "+filepath.Join(m.profile, m.bench+"."+p.name+".cpu"))
			}
		}
	}
	m.base = m.read(tb, true)
}

// exclude runs f and leaves what the processes spend meanwhile out of the
// measurement.
func (m *meter) exclude(tb testing.TB, f func()) {
	tb.Helper()
	before := m.read(tb, false)
	f()
	after := m.read(tb, true)
	for i := range m.base {
		m.base[i].cpu += after[i].cpu - before[i].cpu
		m.base[i].objects += after[i].objects - before[i].objects
		m.base[i].bytes += after[i].bytes - before[i].bytes
	}
}

// stop takes the second reading and returns what each process spent.
func (m *meter) stop(tb testing.TB) []usage {
	tb.Helper()
	out := m.read(tb, false)
	for i, p := range m.procs {
		out[i].cpu -= m.base[i].cpu
		if out[i].objects >= 0 {
			out[i].objects -= m.base[i].objects
			out[i].bytes -= m.base[i].bytes
		}
		if m.profile != "" && p.ctl {
			p.must(tb, "stopprofile")
			p.must(tb, "memprofile "+filepath.Join(m.profile, m.bench+"."+p.name+".allocs"))
		}
	}
	return out
}

// report reports u per op under the prefix name: name-cpu-ns/op and, when
// known, name-allocs/op and name-B/op.
func (u usage) report(b *testing.B, name string, ops int) {
	if ops <= 0 {
		return
	}
	b.ReportMetric(float64(u.cpu)/float64(ops), name+"-cpu-ns/op")
	if u.objects >= 0 {
		b.ReportMetric(float64(u.objects)/float64(ops), name+"-allocs/op")
		b.ReportMetric(float64(u.bytes)/float64(ops), name+"-B/op")
	}
}

func mustCPU(tb testing.TB, p *child) time.Duration {
	tb.Helper()
	read := procCPU
	if p.exitedThreads {
		read = procStatCPU
	}
	d, err := read(p.pid)
	if err != nil {
		tb.Fatalf("%s: %v", p.name, err)
	}
	return d
}
