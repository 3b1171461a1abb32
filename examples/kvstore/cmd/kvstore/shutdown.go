package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// Shutdown budget: in-flight calls get drainTimeout to finish, then their
// spans get flushTimeout to leave.
const (
	drainTimeout = 20 * time.Second
	flushTimeout = 5 * time.Second
)

// Log messages of the two phases. TestInFlightAtSIGTERM releases its
// in-flight call when it reads logDraining.
const (
	logDraining = "stopping: draining in-flight calls"
	logFlushing = "stopping: flushing spans"
)

// shutdown is the order that loses no span: drain the calls in flight
// (their spans end), then flush. TestInFlightAtSIGTERM also builds kvstore
// with the two regions below swapped and proves it then loses the span of
// the call in flight, so keep each phase inside its markers.
func shutdown(ctx context.Context, srv *tracing.Server, tp *tracing.Provider, logger *slog.Logger) {
	// guideline:begin kvstore-drain
	logger.Info(logDraining)
	dctx, cancelDrain := context.WithTimeout(ctx, drainTimeout)
	defer cancelDrain()
	if err := srv.Shutdown(dctx); err != nil {
		logger.Warn("in-flight calls did not finish in time; stopped them", "timeout", drainTimeout.String())
	}
	// guideline:end kvstore-drain
	// guideline:begin kvstore-flush
	logger.Info(logFlushing)
	fctx, cancelFlush := context.WithTimeout(ctx, flushTimeout)
	defer cancelFlush()
	if err := tp.Shutdown(fctx); err != nil {
		logger.Warn("flushing spans", "err", err)
	}
	// guideline:end kvstore-flush
}
