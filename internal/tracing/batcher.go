package tracing

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// batcher is the kit's span processor. Like the SDK's batch span processor
// it collects ended, sampled spans and hands them to the exporter in
// batches of at most size, from one goroutine: when a batch is full, when
// interval has passed, on ForceFlush and on Shutdown. Unlike it, ending a
// span only takes a lock and appends: the SDK's processor sends every span
// over a channel to its goroutine, which costs a goroutine wake-up per span
// (two per forwarded call, one for each of its spans) — on a node whose
// cores are busy, a good part of what a sampled call costs. Here the
// goroutine wakes once per batch.
//
// It also bounds what it holds: a span is admitted only while fewer than
// limit spans wait for export or are being exported; past that it is
// dropped and counted in dropped, never waited for (End runs on the RPC's
// goroutine). The SDK's processor would drop silently.
//
// A batcher is safe for concurrent use.
type batcher struct {
	exp      sdktrace.SpanExporter
	limit    int
	size     int
	interval time.Duration
	timeout  time.Duration
	dropped  *atomic.Int64

	mu       sync.Mutex
	queue    []sdktrace.ReadOnlySpan // waiting, oldest first
	inflight int                     // handed to the exporter, not yet back
	stopped  bool

	kick     chan struct{}      // a full batch waits (buffer of one)
	flush    chan chan struct{} // export everything, then close the channel
	stop     chan struct{}
	done     chan struct{} // the goroutine has returned
	stopOnce sync.Once
	batch    []sdktrace.ReadOnlySpan // the goroutine's, reused per export
}

var _ sdktrace.SpanProcessor = (*batcher)(nil)

// newBatcher starts a batcher in front of exp for c's queue size, batch
// size, interval and export timeout, counting drops in dropped.
func newBatcher(exp sdktrace.SpanExporter, c Config, dropped *atomic.Int64) *batcher {
	b := &batcher{
		exp:      exp,
		limit:    max(c.ExportQueueSize, 1),
		size:     max(c.ExportBatchSize, 1),
		interval: c.ExportInterval.std(),
		timeout:  c.ExportTimeout.std(),
		dropped:  dropped,
		kick:     make(chan struct{}, 1),
		flush:    make(chan chan struct{}),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if b.interval <= 0 {
		b.interval = DefaultExtensions().ExportInterval.std()
	}
	go b.run()
	return b
}

// OnStart does nothing: spans are collected when they end.
func (*batcher) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd queues s for export when it is sampled and there is room, else
// counts it as dropped. It wakes the export goroutine only when a batch is
// full.
func (b *batcher) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return
	}
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return
	}
	if len(b.queue)+b.inflight >= b.limit {
		b.mu.Unlock()
		b.dropped.Add(1)
		return
	}
	b.queue = append(b.queue, s)
	full := len(b.queue) == b.size
	b.mu.Unlock()
	if full {
		select {
		case b.kick <- struct{}{}:
		default: // already kicked
		}
	}
}

// run is the export goroutine.
func (b *batcher) run() {
	defer close(b.done)
	t := time.NewTimer(b.interval)
	defer t.Stop()
	for {
		select {
		case <-b.kick:
			b.export(true)
		case <-t.C:
			b.export(false)
			t.Reset(b.interval)
		case ack := <-b.flush:
			b.export(false)
			close(ack)
		case <-b.stop:
			b.export(false)
			return
		}
	}
}

// export hands the queue to the exporter a batch at a time: only full
// batches when fullOnly, else everything.
func (b *batcher) export(fullOnly bool) {
	for {
		b.mu.Lock()
		n := min(len(b.queue), b.size)
		if n == 0 || (fullOnly && n < b.size) {
			b.mu.Unlock()
			return
		}
		b.batch = append(b.batch[:0], b.queue[:n]...)
		rest := copy(b.queue, b.queue[n:])
		clear(b.queue[rest:])
		b.queue = b.queue[:rest]
		b.inflight += n
		b.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
		err := b.exp.ExportSpans(ctx, b.batch)
		cancel()
		clear(b.batch)
		b.mu.Lock()
		b.inflight -= n
		b.mu.Unlock()
		if err != nil {
			otel.Handle(err)
		}
	}
}

// ForceFlush exports every span queued so far and returns when the
// exporter has taken them, or with ctx's error when ctx ends first.
func (b *batcher) ForceFlush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case b.flush <- ack:
	case <-b.done:
		return nil // shut down: nothing left
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown stops taking spans, exports what is queued and shuts the
// exporter down. Only the first call does anything; ctx bounds the wait.
func (b *batcher) Shutdown(ctx context.Context) error {
	var err error
	b.stopOnce.Do(func() {
		b.mu.Lock()
		b.stopped = true
		b.mu.Unlock()
		close(b.stop)
		select {
		case <-b.done:
		case <-ctx.Done():
			err = ctx.Err()
		}
		err = errors.Join(err, b.exp.Shutdown(ctx))
	})
	return err
}
