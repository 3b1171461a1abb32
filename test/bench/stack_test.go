package bench

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/crio-trace/crio-trace/internal/config"
	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/runtime/embedded"
	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/internal/tracing"
	"github.com/crio-trace/crio-trace/server"
)

// stack is one way of serving the CRI server, running in a child process
// of its own (role_test.go) on a unix socket in a temporary directory until
// the benchmark or test that started it ends.
type stack struct {
	// endpoint is the CRI endpoint, "unix:///…".
	endpoint string
	// proc is the server's process.
	proc *child
	// receiver is the OTLP receiver the stack exports to when the test
	// started it with one it reads spans back from (TestStacks); nil
	// otherwise.
	receiver *otlpreceiver.Receiver
}

// stackSpec names a stack and how to build it.
type stackSpec struct {
	name string
	// sampled is whether the client sends a sampled parent.
	sampled bool
	// exports is whether the stack sends spans to an OTLP receiver.
	exports bool
	// spansPerVersion is how many spans one Version call leaves at the
	// receiver: the check that the stack is wired as its name says.
	spansPerVersion int
	// build serves cri on sock, exporting to otlp when the stack exports.
	build func(e env, cri *server.Server, sock, otlp string) served
}

// stacks is every stack of the side-by-side comparison, in report order.
func stacks() []stackSpec {
	return []stackSpec{
		{name: "a-baseline", sampled: true, build: buildBaseline},
		{name: "b-off", sampled: true, build: buildKit(kitOff)},
		{name: "c-on", sampled: true, exports: true, spansPerVersion: 1, build: buildKit(kitOn)},
		{name: "d-down", sampled: true, build: buildKit(kitDown)},
		{name: "e-unsampled", sampled: false, exports: true, build: buildKit(kitOn)},
		{name: "f-criostyle", sampled: true, exports: true, spansPerVersion: 2, build: buildCRIOStyle(true)},
		{name: "g-criostyle-off", sampled: true, build: buildCRIOStyle(false)},
	}
}

// lookupStack returns the stack spec named name.
func lookupStack(name string) (stackSpec, bool) {
	for _, s := range stacks() {
		if s.name == name {
			return s, true
		}
	}
	return stackSpec{}, false
}

// stackByName returns the named stack spec.
func stackByName(tb testing.TB, name string) stackSpec {
	tb.Helper()
	s, ok := lookupStack(name)
	if !ok {
		tb.Fatalf("no stack named %q", name)
	}
	return s
}

// start serves s in a child process; a stack that exports sends its spans
// to a receiver in this process that only counts them.
func (s stackSpec) start(tb testing.TB) *stack {
	tb.Helper()
	var otlp string
	if s.exports {
		otlp = startCountingReceiver(tb, 0).Addr()
	}
	return s.startWith(tb, otlp)
}

// startWith serves s in a child process exporting to otlp.
func (s stackSpec) startWith(tb testing.TB, otlp string) *stack {
	tb.Helper()
	sock := filepath.Join(testutil.SocketDir(tb), "crio.sock")
	c := startChild(tb, s.name, roleStack, stackEnv+"="+s.name, sockEnv+"="+sock, otlpEnv+"="+otlp)
	return &stack{endpoint: "unix://" + sock, proc: c}
}

// serve is the child's side of start: the embedded runtime, the CRI server
// and the stack around them.
func (s stackSpec) serve(e env, sock, otlp string) served {
	rt := embedded.New(embedded.Options{})
	e.Cleanup(rt.Close)
	cri := server.New(rt, server.Options{})
	sv := s.build(e, cri, sock, otlp)
	sv.index = cri.IndexLen
	return sv
}

// flush makes the server export every finished span now.
func (s *stack) flush(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { _, err := s.proc.do("flush"); done <- err }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// state is the server's tracing.State, or "none" for a stack without
// crio-trace's provider.
func (s *stack) state(tb testing.TB) string {
	tb.Helper()
	return s.proc.must(tb, "state")
}

// dropped is what the server's provider counted as dropped spans.
func (s *stack) dropped(tb testing.TB) int64 {
	tb.Helper()
	n, err := strconv.ParseInt(s.proc.must(tb, "dropped"), 10, 64)
	if err != nil {
		tb.Fatalf("%s: dropped: %v", s.proc.name, err)
	}
	return n
}

// listen opens the unix socket a server serves on.
func listen(e env, sock string) net.Listener {
	e.Helper()
	lis, err := net.Listen("unix", sock)
	if err != nil {
		e.Fatalf("listening on %q: %v", sock, err)
	}
	return lis
}

func noFlush(context.Context) error { return nil }

// serveGRPC serves g on sock until e ends.
func serveGRPC(e env, g *grpc.Server, sock string) {
	lis := listen(e, sock)
	done := make(chan struct{})
	go func() { defer close(done); _ = g.Serve(lis) }()
	e.Cleanup(func() { g.Stop(); <-done })
}

// buildBaseline is stack a: the same CRI server code, with its own
// interceptors (logging, status conversion), on a grpc.Server that has no
// stats handler and no tracing code in front of it.
func buildBaseline(e env, cri *server.Server, sock, _ string) served {
	g := grpc.NewServer(cri.ServerOptions()...)
	cri.Register(g)
	serveGRPC(e, g, sock)
	return served{flush: noFlush}
}

// kitConfig returns the tracing config of a kit stack exporting to otlp.
type kitConfig func(e env, otlp string) tracing.Config

// kitOff is tracing disabled, as shipped.
func kitOff(env, string) tracing.Config { return config.DefaultTracing() }

// kitOn is tracing enabled, exporting to otlp, with the default rate (0):
// kubelet's sampled parent decides.
func kitOn(_ env, otlp string) tracing.Config {
	c := config.DefaultTracing()
	c.Enabled = true
	c.Endpoint = otlp
	return c
}

// kitDown is tracing enabled with the collector down: nothing listens on
// the endpoint, so the provider starts detached.
func kitDown(e env, _ string) tracing.Config {
	c := config.DefaultTracing()
	c.Enabled = true
	c.Endpoint = freeAddr(e)
	return c
}

// buildKit returns the builder of a crio-trace stack: the daemon's own
// wiring (cmd/crio-trace/serve.go) with the given tracing config.
func buildKit(cfg kitConfig) func(e env, cri *server.Server, sock, otlp string) served {
	return func(e env, cri *server.Server, sock, otlp string) served {
		ctx := context.WithoutCancel(e.Context())
		p, err := tracing.NewProvider(ctx, cfg(e, otlp))
		if err != nil {
			e.Fatalf("tracing provider: %v", err)
		}
		srv := tracing.NewServer(p, func(opts ...grpc.ServerOption) *grpc.Server {
			g := grpc.NewServer(append(opts, cri.ServerOptions()...)...)
			cri.Register(g)
			return g
		})
		lis := listen(e, sock)
		done := make(chan error, 1)
		go func() { done <- srv.Serve(lis) }()
		e.Cleanup(func() {
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
			<-done
			_ = p.Shutdown(sctx)
		})
		return served{provider: p, flush: p.ForceFlush}
	}
}

// startReceiver starts an in-process OTLP/gRPC receiver on a free loopback
// port, stopped when tb ends.
func startReceiver(tb testing.TB) *otlpreceiver.Receiver {
	tb.Helper()
	r, err := otlpreceiver.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatalf("OTLP receiver: %v", err)
	}
	tb.Cleanup(r.Stop)
	return r
}

// freeAddr returns a loopback host:port nobody listens on.
func freeAddr(e env) string {
	e.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.Fatalf("finding a free port: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		e.Fatalf("closing the probe listener: %v", err)
	}
	return addr
}

// connect starts kubelet's client against s, closed when tb ends.
func (s *stack) connect(tb testing.TB, sampled bool) *kubelet {
	tb.Helper()
	k, err := newKubelet(tb.Context(), s.endpoint, sampled)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { k.close(tb.Context()) })
	return k
}

// String names the stack's endpoint for failure messages.
func (s *stack) String() string { return fmt.Sprintf("stack at %s", s.endpoint) }

// letter is the stack's short name in ratios: "c" for "c-on".
func letter(name string) string { l, _, _ := strings.Cut(name, "-"); return l }
