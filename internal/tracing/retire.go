package tracing

import (
	"context"
	"errors"
	"sync"
)

// This file is the end of pipelines: retirement after a reload or reattach,
// and Shutdown.

// retireLocked hands in over to draining: it is shut down once the last
// server generation using it lets go. Pipelines that finished are forgotten,
// so a collector that flaps for days does not grow the list.
func (p *Provider) retireLocked(in *instance) {
	kept := p.retired[:0]
	for _, r := range p.retired {
		select {
		case <-r.done:
		default:
			kept = append(kept, r)
		}
	}
	p.retired = append(kept, in)
	in.release()
}

// retiredDone reports whether every replaced pipeline has shut down.
func (p *Provider) retiredDone() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, in := range p.retired {
		select {
		case <-in.done:
		default:
			return false
		}
	}
	return true
}

// Shutdown stops probing, then flushes and stops every pipeline (the current
// one and those still draining) in parallel, waiting at most until ctx is
// done; errors are joined. Stop the gRPC server first (Server.Shutdown):
// spans end when their RPCs end, so flushing before draining loses them.
// Shutdown is idempotent; Reload fails after it.
//
// Guideline step 2: shutdown order (enhancements/distributed-tracing-with-opentelemetry.md).
func (p *Provider) Shutdown(ctx context.Context) error {
	p.applyMu.Lock()
	defer p.applyMu.Unlock()
	p.mu.Lock()
	pr := p.probe
	if pr != nil {
		pr.cancel()
	}
	all := p.retired
	if p.inst != nil {
		all = append(all, p.inst)
	}
	p.shutdown, p.state, p.inst, p.retired, p.probe = true, StateOff, nil, nil, nil
	p.publishLocked()
	p.mu.Unlock()

	if pr != nil {
		pr.wait() // the probe's callback takes mu: wait only after releasing it
	}
	p.lines.stop()
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for i, in := range all {
		wg.Go(func() { errs[i] = in.shutdown(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
