package bench

import (
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// startCountingReceiver starts an otlpreceiver.Counter on a free loopback
// port until tb ends. Each export takes at least delay.
func startCountingReceiver(tb testing.TB, delay time.Duration) *otlpreceiver.Counter {
	tb.Helper()
	r, err := otlpreceiver.StartCounting("127.0.0.1:0", delay)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(r.Stop)
	return r
}
