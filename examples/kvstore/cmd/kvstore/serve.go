package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/crio-trace/crio-trace/examples/kvstore/kv"
	"github.com/crio-trace/crio-trace/examples/kvstore/kvpb"
	"github.com/crio-trace/crio-trace/examples/kvstore/store"
	"github.com/crio-trace/crio-trace/internal/tracing"
)

// Log messages tests and operators look for.
const (
	logServing  = "kvstore serving"
	logStopping = "kvstore stopping"
	logStopped  = "kvstore stopped"
)

// serve runs kvstore until SIGTERM or SIGINT.
func serve(o options, stderr io.Writer) error {
	// Catch signals before the socket exists, so a SIGTERM sent the moment
	// it answers still drains and flushes.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	cfg, err := o.loader.Load(o.configFile)
	if err != nil {
		return err
	}
	ctx := context.Background()
	// Porting step P4: provider, logs, interceptor, server, onward client
	// (enhancements/distributed-tracing-with-opentelemetry.md).
	// guideline:begin kvstore-wiring
	logger := slog.New(tracing.NewLogHandler(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: o.logLevel})))
	tp, err := tracing.NewProvider(ctx, cfg, tracing.WithLogger(logger))
	if err != nil {
		return err
	}
	var backend kv.Backend = store.New()
	if o.upstream != "" {
		dial := append(tp.DialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		conn, err := grpc.NewClient(o.upstream, dial...)
		if err != nil {
			_ = tp.Shutdown(ctx)
			return fmt.Errorf("--upstream %q: %w", o.upstream, err)
		}
		defer conn.Close()
		backend = kv.Upstream{Client: kvpb.NewKVClient(conn)}
	}
	svc, hs := kv.NewServer(backend), health.NewServer()
	calls := tracing.Interceptor{Logger: logger, Message: "kvstore rpc", RequestAttrs: kv.RequestAttrs}
	srv := tracing.NewServer(tp, func(opts ...grpc.ServerOption) *grpc.Server {
		g := grpc.NewServer(append(opts, calls.ServerOptions()...)...)
		kvpb.RegisterKVServer(g, svc)
		healthpb.RegisterHealthServer(g, hs)
		return g
	})
	// guideline:end kvstore-wiring
	lis, err := net.Listen("unix", o.listen)
	if err != nil {
		_ = tp.Shutdown(ctx)
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	logger.Info(logServing, "listen", o.listen, "upstream", o.upstream, "tracing", tp.State().String())

	for {
		select {
		case err := <-served:
			_ = tp.Shutdown(ctx)
			return fmt.Errorf("serving %s: %w", o.listen, err)
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				reload(ctx, o, tp, logger)
				continue
			}
			logger.Info(logStopping, "signal", sig.String())
			shutdown(ctx, srv, tp, logger)
			logger.Info(logStopped)
			return nil
		}
	}
}

// reload re-reads the config file for SIGHUP and applies [kvstore.tracing].
// Flags given at start keep overriding the file; an invalid file changes
// nothing.
func reload(ctx context.Context, o options, tp *tracing.Provider, logger *slog.Logger) {
	// guideline:begin kvstore-sighup
	cfg, err := o.loader.Load(o.configFile)
	if err == nil {
		err = tp.Reload(ctx, cfg)
	}
	if err != nil {
		logger.Error("SIGHUP: tracing not reloaded; keeping the running configuration", "err", err)
		return
	}
	// guideline:end kvstore-sighup
	logger.Info("SIGHUP: configuration reloaded", "tracing", tp.State().String())
}
