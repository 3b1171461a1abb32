package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"

	"github.com/crio-trace/crio-trace/internal/config"
	"github.com/crio-trace/crio-trace/internal/tracing"
	"github.com/crio-trace/crio-trace/server"
)

// Shutdown budget: RPCs get drainTimeout to finish, then spans get
// flushTimeout to leave. A kubelet stopping the runtime waits longer than both.
const (
	drainTimeout = 30 * time.Second
	flushTimeout = 10 * time.Second
)

// serve runs the daemon until SIGTERM or SIGINT.
func serve(f *flags, fs *flag.FlagSet, stderr io.Writer) error {
	// Handle signals before the socket exists: a supervisor that sees the
	// socket answer may send SIGTERM at once, and the default action would
	// kill the daemon without draining, flushing or removing the socket.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	cfg, err := f.load(fs)
	if err != nil {
		return err
	}
	level := new(slog.LevelVar)
	lvl, _ := config.ParseLevel(cfg.Crio.Runtime.LogLevel)
	level.Set(lvl)
	// Guideline steps 2, 3 and 7: provider, server handler, logs (enhancements/distributed-tracing-with-opentelemetry.md).
	// guideline:begin daemon
	logger := slog.New(tracing.NewLogHandler(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))

	ctx := context.Background()
	tp, err := tracing.NewProvider(ctx, cfg.Crio.Tracing, tracing.WithLogger(logger), tracing.WithServiceVersion(version))
	if err != nil {
		return err
	}
	backend, closeBackend, err := newBackend(cfg, tp, logger)
	if err != nil {
		_ = tp.Shutdown(ctx)
		return err
	}
	cri := server.New(backend, server.Options{Logger: logger})
	srv := tracing.NewServer(tp, func(opts ...grpc.ServerOption) *grpc.Server {
		g := grpc.NewServer(append(opts, cri.ServerOptions()...)...)
		cri.Register(g)
		return g
	})
	// guideline:end daemon
	if f.profile {
		stop, err := startProfiling(f.profilePort, logger)
		if err != nil {
			closeBackend()
			_ = tp.Shutdown(ctx)
			return err
		}
		defer stop()
	}

	lis, err := listen(cfg.Crio.API.Listen)
	if err != nil {
		closeBackend()
		_ = tp.Shutdown(ctx)
		return err
	}
	logger.Info("crio-trace serving", "listen", cfg.Crio.API.Listen, "backend", backendName(cfg), "version", version, "tracing", tp.State().String())

	hupLog := newReloadLog(logger)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()

	for {
		select {
		case err := <-served:
			closeBackend()
			_ = tp.Shutdown(ctx)
			return fmt.Errorf("serving %s: %w", cfg.Crio.API.Listen, err)
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				reload(ctx, f, fs, tp, level, hupLog)
				continue
			}
			logger.Info("crio-trace stopping", "signal", sig.String())
			return shutdown(ctx, srv, tp, closeBackend, cfg.Crio.API.Listen, logger)
		}
	}
}

// shutdown is the order that loses no span: stop accepting and drain the
// RPCs in flight (their server spans end), then flush the spans, then let
// go of the backend.
func shutdown(ctx context.Context, srv *tracing.Server, tp *tracing.Provider, closeBackend func(), sock string, logger *slog.Logger) error {
	// Guideline step 2: shutdown order (enhancements/distributed-tracing-with-opentelemetry.md).
	// guideline:begin daemon-shutdown
	dctx, cancel := context.WithTimeout(ctx, drainTimeout)
	if err := srv.Shutdown(dctx); err != nil {
		logger.Warn("in-flight RPCs did not finish in time; stopped them", "timeout", drainTimeout.String())
	}
	cancel()
	fctx, cancel := context.WithTimeout(ctx, flushTimeout)
	defer cancel()
	if err := tp.Shutdown(fctx); err != nil {
		logger.Warn("flushing spans", "err", err)
	}
	// guideline:end daemon-shutdown
	closeBackend()
	_ = os.Remove(sock)
	logger.Info("crio-trace stopped")
	return nil
}

// reload re-reads the configuration for SIGHUP. Only [crio.tracing] and the
// log level change on a live daemon; the socket and backend need a restart.
// Flags given at start keep overriding the file.
func reload(ctx context.Context, f *flags, fs *flag.FlagSet, tp *tracing.Provider, level *slog.LevelVar, log *reloadLog) {
	cfg, err := f.load(fs)
	if err != nil {
		log.line(slog.LevelError, "SIGHUP: configuration not reloaded; keeping the running one", "err", err)
		return
	}
	if lvl, ok := config.ParseLevel(cfg.Crio.Runtime.LogLevel); ok {
		level.Set(lvl)
	}
	// Guideline step 9: switching tracing on and off with SIGHUP (enhancements/distributed-tracing-with-opentelemetry.md).
	// guideline:begin sighup
	if err := tp.Reload(ctx, cfg.Crio.Tracing); err != nil {
		log.line(slog.LevelError, "SIGHUP: tracing not reloaded", "err", err)
		return
	}
	// guideline:end sighup
	log.line(slog.LevelInfo, "SIGHUP: configuration reloaded", "tracing", tp.State().String())
}
