package main

import (
	"log/slog"
	"time"

	"github.com/crio-trace/crio-trace/internal/config"
	"github.com/crio-trace/crio-trace/internal/runtime/embedded"
	"github.com/crio-trace/crio-trace/internal/runtime/forward"
	"github.com/crio-trace/crio-trace/internal/tracing"
	"github.com/crio-trace/crio-trace/server"
)

// newBackend picks the backend: forward to --runtime-endpoint when set, the
// embedded runtime otherwise. The returned func releases it.
func newBackend(cfg config.Config, tp *tracing.Provider, logger *slog.Logger) (server.Backend, func(), error) {
	if ep := cfg.Crio.Runtime.RuntimeEndpoint; ep != "" {
		// Guideline step 6: calls made onward are CLIENT spans (enhancements/distributed-tracing-with-opentelemetry.md).
		// guideline:begin dial-options
		b, err := forward.New(forward.Options{Endpoint: ep, DialOptions: tp.DialOptions(), Logger: logger})
		// guideline:end dial-options
		if err != nil {
			return nil, nil, err
		}
		return b, func() { _ = b.Close() }, nil
	}
	r := embedded.New(embedded.Options{PullLatency: time.Duration(cfg.Crio.Runtime.PullLatency)})
	return r, r.Close, nil
}

func backendName(cfg config.Config) string {
	if ep := cfg.Crio.Runtime.RuntimeEndpoint; ep != "" {
		return "forward to " + ep
	}
	return "embedded (runs no processes)"
}
