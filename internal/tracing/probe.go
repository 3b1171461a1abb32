package tracing

import (
	"context"
	"net"
	"sync"
	"time"
)

// firstProbeDelay is the probe's first wait; it doubles up to
// tracing_probe_interval.
const firstProbeDelay = 100 * time.Millisecond

// reachable reports whether something accepts connections at the
// collector's address. A TCP connect is the cheapest honest answer to "is a
// collector there": it needs no OTLP request, so it sends no data, and a
// collector that accepts connections but rejects exports is caught by the
// export watcher instead.
//
// Guideline step 9: collector detection (enhancements/distributed-tracing-with-opentelemetry.md).
func reachable(ctx context.Context, c Config) bool {
	hostport, _, err := c.target()
	if err != nil {
		return false
	}
	timeout := min(c.ProbeInterval.std(), time.Second)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

// prober checks the collector in the background with exponential backoff
// and calls back once it answers. It logs nothing: the provider logs the
// state change, once.
type prober struct {
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	delay time.Duration
}

func startProber(c Config, first time.Duration, onUp func(*prober)) *prober {
	ctx, cancel := context.WithCancel(context.Background())
	pr := &prober{cancel: cancel, done: make(chan struct{}), delay: max(first, firstProbeDelay)}
	go pr.run(ctx, c, onUp)
	return pr
}

func (pr *prober) run(ctx context.Context, c Config, onUp func(*prober)) {
	defer close(pr.done)
	maxDelay := c.ProbeInterval.std()
	for {
		pr.mu.Lock()
		wait := min(pr.delay, maxDelay)
		pr.delay = min(pr.delay*2, maxDelay)
		pr.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if reachable(ctx, c) {
			onUp(pr)
			return
		}
	}
}

// nextDelay returns the wait the probe would use next. The provider carries
// it into the next outage until an export succeeds, so a collector that
// accepts connections but fails exports is retried ever more slowly, not in
// a tight loop.
func (pr *prober) nextDelay() time.Duration {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.delay
}

// stop ends the probe and waits for its goroutine.
func (pr *prober) stop() {
	pr.cancel()
	<-pr.done
}
