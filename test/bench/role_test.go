package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// The suite runs every server it measures in a process of its own: the test
// binary started again with roleEnv set, so that what the server costs can
// be read off its own process (CPU time, allocations, RSS) with the client
// and the OTLP receiver elsewhere. These variables tell such a child what
// to be.
const (
	// roleEnv names the role: roleStack, roleRuntime or roleRawProxy.
	roleEnv = "CRIO_TRACE_BENCH_ROLE"
	// stackEnv names the stack a roleStack child serves (stacks()).
	stackEnv = "CRIO_TRACE_BENCH_STACK"
	// sockEnv is the unix socket the child serves on.
	sockEnv = "CRIO_TRACE_BENCH_SOCK"
	// otlpEnv is the OTLP/gRPC endpoint a stack that exports sends to.
	otlpEnv = "CRIO_TRACE_BENCH_OTLP"
	// targetEnv is the CRI endpoint a roleRawProxy child forwards to.
	targetEnv = "CRIO_TRACE_BENCH_TARGET"
)

// Roles of a child process.
const (
	// roleStack serves one of stacks() over the embedded runtime.
	roleStack = "stack"
	// roleRuntime serves the embedded runtime on a bare grpc.Server: no
	// interceptor, no validation, no tracing; the far end of forward mode.
	roleRuntime = "runtime"
	// roleRawProxy is the floor of one gRPC hop: a proxy that passes
	// request and response bytes through without decoding them.
	roleRawProxy = "rawproxy"
	// roleForward is crio-trace in forward mode in front of targetEnv,
	// wired as cmd/crio-trace wires it, tracing on when otlpEnv is set.
	roleForward = "forward"
)

// readyLine is what a child prints on stdout once it serves.
const readyLine = "ready"

// served is what a child serves, as its control commands see it.
type served struct {
	// provider is crio-trace's tracing provider; nil for servers without.
	provider *tracing.Provider
	// flush exports every finished span now.
	flush func(context.Context) error
	// index is the CRI server's attribute index size
	// (server.Server.IndexLen); nil for servers without one.
	index func() (sandboxes, containers int)
}

// runChild is the whole life of a child process: serve role, answer
// control commands on stdin, and shut down when stdin closes. It returns the
// exit code.
func runChild(role string) int {
	if os.Getenv(exactAllocsEnv) == "1" {
		// Every allocation in the profile, so that allocations per call
		// can be read off it exactly, not sampled; it slows the server
		// down, so CPU profiles and timings of such a run mean little.
		runtime.MemProfileRate = 1
	}
	env := &childEnv{}
	defer env.runCleanups()
	var s served
	switch role {
	case roleStack:
		spec, ok := lookupStack(os.Getenv(stackEnv))
		if !ok {
			env.Fatalf("%s=%q: no such stack", stackEnv, os.Getenv(stackEnv))
		}
		s = spec.serve(env, os.Getenv(sockEnv), os.Getenv(otlpEnv))
	case roleRuntime:
		s = serveRuntime(env, os.Getenv(sockEnv))
	case roleRawProxy:
		s = serveRawProxy(env, os.Getenv(sockEnv), os.Getenv(targetEnv))
	case roleForward:
		s = serveForwardRole(env, os.Getenv(sockEnv), os.Getenv(targetEnv), os.Getenv(otlpEnv))
	default:
		env.Fatalf("%s=%q: want %s, %s, %s or %s", roleEnv, role, roleStack, roleRuntime, roleRawProxy, roleForward)
	}
	if s.flush == nil {
		s.flush = noFlush
	}
	fmt.Println(readyLine)
	if err := control(os.Stdin, os.Stdout, s); err != nil {
		fmt.Fprintln(os.Stderr, "control:", err)
		return 1
	}
	return 0
}

// control answers one line per command read from in, until in ends:
//
//	flush            export every finished span      → ok
//	state            the tracing provider's state     → off|active|detached|none
//	dropped          spans the provider counted lost  → N
//	allocs           heap allocations so far          → OBJECTS BYTES
//	heap             live heap after a full GC        → BYTES
//	index            the attribute index's size       → SANDBOXES CONTAINERS
//	cpuprofile PATH  start a CPU profile into PATH    → ok
//	stopprofile      stop it                          → ok
//	memprofile PATH  write the allocation profile     → ok
//
// A command that fails answers "error: …".
func control(in io.Reader, out io.Writer, s served) error {
	sc := bufio.NewScanner(in)
	var profile *os.File
	defer func() {
		if profile != nil {
			pprof.StopCPUProfile()
			_ = profile.Close()
		}
	}()
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		reply, err := func() (string, error) {
			switch cmd {
			case "flush":
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				return "ok", s.flush(ctx)
			case "state":
				if s.provider == nil {
					return "none", nil
				}
				return s.provider.State().String(), nil
			case "dropped":
				if s.provider == nil {
					return "0", nil
				}
				return strconv.FormatInt(s.provider.Dropped(), 10), nil
			case "allocs":
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				return fmt.Sprintf("%d %d", ms.Mallocs, ms.TotalAlloc), nil
			case "heap":
				return strconv.FormatUint(liveHeap(), 10), nil
			case "index":
				if s.index == nil {
					return "", fmt.Errorf("this server has no attribute index")
				}
				sb, c := s.index()
				return fmt.Sprintf("%d %d", sb, c), nil
			case "cpuprofile":
				f, err := os.Create(arg)
				if err != nil {
					return "", err
				}
				if err := pprof.StartCPUProfile(f); err != nil {
					_ = f.Close()
					return "", err
				}
				profile = f
				return "ok", nil
			case "stopprofile":
				if profile == nil {
					return "", fmt.Errorf("no CPU profile running")
				}
				pprof.StopCPUProfile()
				err := profile.Close()
				profile = nil
				return "ok", err
			case "memprofile":
				f, err := os.Create(arg)
				if err != nil {
					return "", err
				}
				err = pprof.Lookup("allocs").WriteTo(f, 0)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				return "ok", err
			}
			return "", fmt.Errorf("unknown command %q", cmd)
		}()
		if err != nil {
			reply = "error: " + strings.ReplaceAll(err.Error(), "\n", " ")
		}
		if _, err := fmt.Fprintln(out, reply); err != nil {
			return err
		}
	}
	return sc.Err()
}

// env is the part of testing.TB the servers of the suite are built with, so
// that the same builders serve inside a test and inside a child process.
type env interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
	TempDir() string
	Context() context.Context
}

// childEnv is env for a child process: Fatalf prints, cleans up and exits.
type childEnv struct {
	cleanups []func()
}

func (*childEnv) Helper() {}

func (e *childEnv) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	e.runCleanups()
	os.Exit(2)
}

func (e *childEnv) Cleanup(f func()) { e.cleanups = append(e.cleanups, f) }

func (e *childEnv) TempDir() string {
	dir, err := os.MkdirTemp("", "crio-trace-bench")
	if err != nil {
		e.Fatalf("temp dir: %v", err)
	}
	e.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func (*childEnv) Context() context.Context { return context.Background() }

// runCleanups runs the cleanups last first, once.
func (e *childEnv) runCleanups() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
	e.cleanups = nil
}
