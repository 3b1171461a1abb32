package tracing

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// firstProbeDelay is the probe's first wait; it doubles up to
// tracing_probe_interval.
const firstProbeDelay = 100 * time.Millisecond

// testHookProbeUp, when set by a test, runs in the probe goroutine after the
// collector answered and before the provider is called back.
var testHookProbeUp atomic.Pointer[func()]

// prober looks for the collector in the background, with exponential
// backoff, until it answers OTLP and the callback accepts it. It logs
// nothing: the provider logs the state change, once.
//
// Stopping a prober is two steps on purpose: cancel, which never blocks and
// may be called with the provider's lock held, and wait, which must be
// called without it, because the callback takes that lock.
type prober struct {
	cfg    Config
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	delay time.Duration
}

// startProber probes for the collector c names. onUp is called from the
// probe's goroutine, without locks held, with the target that answered; it
// returns false to have the probe go on (the pipeline could not be built).
func startProber(c Config, first time.Duration, onUp func(*prober, *target) bool) *prober {
	ctx, cancel := context.WithCancel(context.Background())
	pr := &prober{cfg: c, cancel: cancel, done: make(chan struct{}), delay: max(first, firstProbeDelay)}
	go pr.run(ctx, onUp)
	return pr
}

func (pr *prober) run(ctx context.Context, onUp func(*prober, *target) bool) {
	defer close(pr.done)
	maxDelay := pr.cfg.ProbeInterval.std()
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
		// The target is resolved on every attempt, so a CA or client
		// certificate that is fixed on disk is picked up without a reload.
		tg, err := newTarget(pr.cfg)
		if err != nil || checkCollector(ctx, tg) != nil || ctx.Err() != nil {
			continue
		}
		if hook := testHookProbeUp.Load(); hook != nil {
			(*hook)()
		}
		if onUp(pr, tg) {
			return
		}
	}
}

// nextDelay returns the wait the probe would use next. The provider carries
// it into the next outage until an export succeeds, so a collector that
// answers the check but fails real exports is retried ever more slowly, not
// in a tight loop.
func (pr *prober) nextDelay() time.Duration {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.delay
}

// wait blocks until the probe's goroutine has returned. Call cancel first,
// and never with the provider's lock held.
func (pr *prober) wait() { <-pr.done }
