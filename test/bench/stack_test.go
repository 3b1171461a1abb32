package bench

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
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

// stack is one way of serving the CRI server, running on a unix socket in a
// temporary directory until the benchmark or test that started it ends.
type stack struct {
	// endpoint is the CRI endpoint, "unix:///…".
	endpoint string
	// provider is crio-trace's tracing provider; nil for stacks without it.
	provider *tracing.Provider
	// receiver is the in-process OTLP receiver the stack exports to; nil
	// when it exports nowhere.
	receiver *otlpreceiver.Receiver
	// flush exports every finished span now (no-op without a pipeline).
	flush func(context.Context) error
}

// stackSpec names a stack and how to build it.
type stackSpec struct {
	name string
	// sampled is whether the client sends a sampled parent.
	sampled bool
	// spansPerVersion is how many spans one Version call leaves at the
	// receiver: the check that the stack is wired as its name says.
	spansPerVersion int
	build           func(tb testing.TB, cri *server.Server, sock string) *stack
}

// stacks is every stack of the side-by-side comparison, in report order.
func stacks() []stackSpec {
	return []stackSpec{
		{name: "a-baseline", sampled: true, build: buildBaseline},
		{name: "b-off", sampled: true, build: buildKit(kitOff)},
		{name: "c-on", sampled: true, spansPerVersion: 1, build: buildKit(kitOn)},
		{name: "d-down", sampled: true, build: buildKit(kitDown)},
		{name: "e-unsampled", sampled: false, build: buildKit(kitOn)},
		{name: "f-criostyle", sampled: true, spansPerVersion: 2, build: buildCRIOStyle(true)},
		{name: "g-criostyle-off", sampled: true, build: buildCRIOStyle(false)},
	}
}

// stackByName returns the named stack spec.
func stackByName(tb testing.TB, name string) stackSpec {
	tb.Helper()
	for _, s := range stacks() {
		if s.name == name {
			return s
		}
	}
	tb.Fatalf("no stack named %q", name)
	return stackSpec{}
}

// start builds the embedded runtime, the CRI server and the stack around
// them, and serves it.
func (s stackSpec) start(tb testing.TB) *stack {
	tb.Helper()
	rt := embedded.New(embedded.Options{})
	tb.Cleanup(rt.Close)
	cri := server.New(rt, server.Options{})
	return s.build(tb, cri, filepath.Join(tb.TempDir(), "crio.sock"))
}

// listen opens the unix socket the stack serves on.
func listen(tb testing.TB, sock string) net.Listener {
	tb.Helper()
	lis, err := net.Listen("unix", sock)
	if err != nil {
		tb.Fatalf("listening on %q: %v", sock, err)
	}
	return lis
}

func noFlush(context.Context) error { return nil }

// buildBaseline is stack a: the same CRI server code, with its own
// interceptors (logging, status conversion), on a grpc.Server that has no
// stats handler and no tracing code in front of it.
func buildBaseline(tb testing.TB, cri *server.Server, sock string) *stack {
	g := grpc.NewServer(cri.ServerOptions()...)
	cri.Register(g)
	lis := listen(tb, sock)
	done := make(chan struct{})
	go func() { defer close(done); _ = g.Serve(lis) }()
	tb.Cleanup(func() { g.Stop(); <-done })
	return &stack{endpoint: "unix://" + sock, flush: noFlush}
}

// kitConfig returns the tracing config of a kit stack and the receiver it
// exports to, if any.
type kitConfig func(tb testing.TB) (tracing.Config, *otlpreceiver.Receiver)

// kitOff is tracing disabled, as shipped.
func kitOff(testing.TB) (tracing.Config, *otlpreceiver.Receiver) {
	return config.DefaultTracing(), nil
}

// kitOn is tracing enabled, exporting to a live in-process receiver, with
// the default rate (0): kubelet's sampled parent decides.
func kitOn(tb testing.TB) (tracing.Config, *otlpreceiver.Receiver) {
	r := startReceiver(tb)
	c := config.DefaultTracing()
	c.Enabled = true
	c.Endpoint = r.Addr()
	return c, r
}

// kitDown is tracing enabled with the collector down: nothing listens on
// the endpoint, so the provider starts detached.
func kitDown(tb testing.TB) (tracing.Config, *otlpreceiver.Receiver) {
	c := config.DefaultTracing()
	c.Enabled = true
	c.Endpoint = freeAddr(tb)
	return c, nil
}

// buildKit returns the builder of a crio-trace stack: the daemon's own
// wiring (cmd/crio-trace/serve.go) with the given tracing config.
func buildKit(cfg kitConfig) func(tb testing.TB, cri *server.Server, sock string) *stack {
	return func(tb testing.TB, cri *server.Server, sock string) *stack {
		c, recv := cfg(tb)
		ctx := context.WithoutCancel(tb.Context())
		p, err := tracing.NewProvider(ctx, c)
		if err != nil {
			tb.Fatalf("tracing provider: %v", err)
		}
		srv := tracing.NewServer(p, func(opts ...grpc.ServerOption) *grpc.Server {
			g := grpc.NewServer(append(opts, cri.ServerOptions()...)...)
			cri.Register(g)
			return g
		})
		lis := listen(tb, sock)
		done := make(chan error, 1)
		go func() { done <- srv.Serve(lis) }()
		tb.Cleanup(func() {
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
			<-done
			_ = p.Shutdown(sctx)
		})
		return &stack{endpoint: "unix://" + sock, provider: p, receiver: recv, flush: p.ForceFlush}
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
func freeAddr(tb testing.TB) string { return testutil.FreeAddr(tb) }

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
