package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"google.golang.org/grpc"

	"github.com/crio-trace/crio-trace/internal/config"
	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/runtime/embedded"
	"github.com/crio-trace/crio-trace/internal/runtime/forward"
	"github.com/crio-trace/crio-trace/internal/tracing"
	"github.com/crio-trace/crio-trace/server"
)

// exportInterval is how long a finished span waits before export, on both
// sides: short, so the demo's traces arrive at once.
const exportInterval = 50 * time.Millisecond

// Shutdown budget of the stack; Ctrl-C and errors get the same.
const (
	drainTimeout = 5 * time.Second
	flushTimeout = 5 * time.Second
)

// kubeletService is the service.name of the spans the demo makes as kubelet.
const kubeletService = "kubelet"

// stack is everything the demo runs in its own process: the collector, an
// optional fan-out to a real collector, crio-trace and kubelet's tracer
// provider. Create it with startStack and always call close.
type stack struct {
	receiver *otlpreceiver.Receiver
	fan      *fanout // nil without --otlp-endpoint
	// exportTo is the OTLP endpoint both kubelet and crio-trace export to.
	exportTo string

	dir, socket  string
	provider     *tracing.Provider
	server       *tracing.Server
	served       chan error
	closeBackend func()
	backendName  string

	kubeletTP *sdktrace.TracerProvider

	closeOnce sync.Once
	closeErr  error
}

// startStack starts the collector, crio-trace on a socket in a fresh
// temporary directory and kubelet's tracer provider. On error it stops what
// it started.
func startStack(ctx context.Context, o options, logs io.Writer) (_ *stack, err error) {
	s := &stack{}
	defer func() {
		if err != nil {
			_ = s.close(ctx)
		}
	}()
	if s.receiver, err = otlpreceiver.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	s.exportTo = s.receiver.Addr()
	if o.otlpEndpoint != "" {
		if s.fan, err = startFanout(s.receiver.Addr(), o.otlpEndpoint); err != nil {
			return nil, err
		}
		s.exportTo = s.fan.Addr()
	}
	if s.dir, err = os.MkdirTemp("", "crio-trace-demo-"); err != nil {
		return nil, fmt.Errorf("creating the socket directory: %w", err)
	}
	s.socket = filepath.Join(s.dir, "crio-trace.sock")
	if err = s.startCRIO(ctx, o, logs); err != nil {
		return nil, err
	}
	if s.kubeletTP, err = newKubeletProvider(ctx, s.exportTo); err != nil {
		return nil, err
	}
	return s, nil
}

// startCRIO starts crio-trace in-process, wired as the daemon wires it
// (cmd/crio-trace/serve.go): provider, backend, CRI server, tracing server.
func (s *stack) startCRIO(ctx context.Context, o options, logs io.Writer) error {
	logger := slog.New(tracing.NewLogHandler(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	cfg := config.DefaultTracing()
	cfg.Enabled = o.scenario.tracing
	cfg.Endpoint = s.exportTo
	cfg.ExportInterval = tracing.Duration(exportInterval)
	p, err := tracing.NewProvider(ctx, cfg, tracing.WithLogger(logger))
	if err != nil {
		return err
	}
	s.provider = p
	var backend server.Backend
	if o.runtimeEndpoint != "" {
		b, err := forward.New(forward.Options{Endpoint: o.runtimeEndpoint, DialOptions: p.DialOptions(), Logger: logger})
		if err != nil {
			return fmt.Errorf("--runtime-endpoint: %w", err)
		}
		backend, s.closeBackend = b, func() { _ = b.Close() }
		s.backendName = "forwarding to " + o.runtimeEndpoint
	} else {
		r := embedded.New(embedded.Options{PullLatency: o.scenario.pullLatency, ImageLatency: imageLatency(o)})
		backend, s.closeBackend = r, r.Close
		s.backendName = "embedded runtime (runs no processes)"
	}
	cri := server.New(backend, server.Options{Logger: logger})
	s.server = tracing.NewServer(p, func(opts ...grpc.ServerOption) *grpc.Server {
		g := grpc.NewServer(append(opts, cri.ServerOptions()...)...)
		cri.Register(g)
		return g
	})
	lis, err := net.Listen("unix", s.socket)
	if err != nil {
		return fmt.Errorf("listening on %q: %w", s.socket, err)
	}
	s.served = make(chan error, 1)
	go func() { s.served <- s.server.Serve(lis) }()
	return nil
}

// imageLatency returns the per-image pull latency of the scenario.
func imageLatency(o options) map[string]time.Duration {
	if !o.scenario.slowImage {
		return nil
	}
	return map[string]time.Duration{o.appImage: o.scenario.slowImageLatency}
}

// newKubeletProvider returns the tracer provider kubelet would build from
// its tracing configuration: service.name "kubelet", every trace sampled,
// batches exported over OTLP/gRPC to endpoint.
func newKubeletProvider(ctx context.Context, endpoint string) (*sdktrace.TracerProvider, error) {
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(endpoint), otlptracegrpc.WithInsecure())
	if err != nil {
		return nil, fmt.Errorf("kubelet's OTLP exporter: %w", err)
	}
	res := sdkresource.NewSchemaless(semconv.ServiceName(kubeletService))
	return sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(exportInterval)),
	), nil
}

// endpoint is crio-trace's CRI endpoint as kubelet names it.
func (s *stack) endpoint() string { return "unix://" + s.socket }

// flush exports every finished span of both kubelet and crio-trace now.
func (s *stack) flush(ctx context.Context) error {
	return errors.Join(s.kubeletTP.ForceFlush(ctx), s.provider.ForceFlush(ctx))
}

// close stops everything in the order that loses no span: kubelet's
// provider (its spans are flushed), crio-trace's server (in-flight RPCs
// finish), crio-trace's provider (flushed), the backend, the fan-out, the
// collector; then it removes the socket directory. It runs under
// context.WithoutCancel(ctx) with its own budget, so Ctrl-C still cleans
// up. It is idempotent and returns every error.
func (s *stack) close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		ctx := context.WithoutCancel(ctx)
		var errs []error
		if s.kubeletTP != nil {
			fctx, cancel := context.WithTimeout(ctx, flushTimeout)
			errs = append(errs, s.kubeletTP.Shutdown(fctx))
			cancel()
		}
		if s.server != nil {
			dctx, cancel := context.WithTimeout(ctx, drainTimeout)
			_ = s.server.Shutdown(dctx) // in-flight RPCs stopped hard past the budget
			cancel()
			if s.served != nil {
				errs = append(errs, <-s.served)
			}
		}
		if s.provider != nil {
			fctx, cancel := context.WithTimeout(ctx, flushTimeout)
			errs = append(errs, s.provider.Shutdown(fctx))
			cancel()
		}
		if s.closeBackend != nil {
			s.closeBackend()
		}
		if s.fan != nil {
			errs = append(errs, s.fan.Stop())
		}
		if s.receiver != nil {
			s.receiver.Stop()
		}
		if s.dir != "" {
			errs = append(errs, os.RemoveAll(s.dir))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
