package testutil

import (
	"context"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// FlapCollector starts an OTLP receiver on addr, keeps it up for up, stops
// it for down, and again, until ctx ends; it returns once the last receiver
// has stopped. A receiver that cannot start fails t. The storm and soak
// tests flap the collector of a running daemon with it.
func FlapCollector(ctx context.Context, t testing.TB, addr string, up, down time.Duration) {
	for ctx.Err() == nil {
		r, err := otlpreceiver.Start(addr)
		if err != nil {
			t.Errorf("restarting the collector on %s: %v", addr, err)
			return
		}
		Pace(ctx, up)
		r.Stop()
		Pace(ctx, down)
	}
}

// Pace waits d, or until ctx ends: the rhythm of a load generator, not a
// wait for a condition (poll those with Poll).
func Pace(ctx context.Context, d time.Duration) {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
	case <-tm.C:
	}
}
