package bench

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/crio-trace/crio-trace/internal/config"
	"github.com/crio-trace/crio-trace/internal/runtime/forward"
	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/internal/tracing"
	"github.com/crio-trace/crio-trace/server"
)

// serveForwardRole is crio-trace in forward mode, wired as
// cmd/crio-trace/serve.go and backend.go wire it (the daemon's own logger,
// at info, writing to nothing here): the tracing provider, the forward
// backend with the provider's dial options, the CRI server, tracing.Server.
// Tracing is on, exporting to otlp, when otlp is set.
func serveForwardRole(e env, sock, target, otlp string) served {
	ctx := context.WithoutCancel(e.Context())
	cfg := config.DefaultTracing()
	if otlp != "" {
		cfg.Enabled = true
		cfg.Endpoint = otlp
	}
	logger := slog.New(tracing.NewLogHandler(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})))
	p, err := tracing.NewProvider(ctx, cfg, tracing.WithLogger(logger))
	if err != nil {
		e.Fatalf("tracing provider: %v", err)
	}
	be, err := forward.New(forward.Options{Endpoint: target, DialOptions: p.DialOptions(), Logger: logger})
	if err != nil {
		e.Fatalf("forward backend: %v", err)
	}
	cri := server.New(be, server.Options{Logger: logger})
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
		_ = be.Close()
	})
	return served{provider: p, flush: p.ForceFlush}
}

// hopPath is one way of reaching the runtime in the forward-mode
// benchmarks.
type hopPath struct {
	// name is the path's short name in metrics: direct, raw, off, on.
	name  string
	start func(tb testing.TB, runtime string) *stack
}

// hopPaths are the ways to the same runtime process, side by side: the
// runtime itself, the raw proxy (the floor of one hop), crio-trace in
// forward mode with tracing off, and on (exporting to a receiver in the
// benchmark's process that counts).
func hopPaths() []hopPath {
	return []hopPath{
		{name: "direct", start: func(_ testing.TB, runtime string) *stack { return &stack{endpoint: runtime} }},
		{name: "raw", start: startRawProxy},
		{name: "off", start: func(tb testing.TB, runtime string) *stack { return startForward(tb, runtime, false) }},
		{name: "on", start: func(tb testing.TB, runtime string) *stack { return startForward(tb, runtime, true) }},
	}
}

// startForward serves crio-trace in forward mode in front of runtime in a
// child process.
func startForward(tb testing.TB, runtime string, tracingOn bool) *stack {
	tb.Helper()
	var otlp string
	name := "forward-off"
	if tracingOn {
		otlp = startCountingReceiver(tb, 0).Addr()
		name = "forward-on"
	}
	sock := filepath.Join(testutil.SocketDir(tb), "fwd.sock")
	c := startChild(tb, name, roleForward, sockEnv+"="+sock, targetEnv+"="+runtime, otlpEnv+"="+otlp)
	return &stack{endpoint: "unix://" + sock, proc: c}
}
