package tracing

import (
	"context"
	"fmt"
	"log/slog"
)

// This file is collector detection: an export that fails detaches the
// provider (instrumentation removed, one line) and starts the probe; the
// probe's success reattaches it with a fresh pipeline (one line).
//
// Guideline step 9: no collector, no instrumentation (enhancements/distributed-tracing-with-opentelemetry.md).

// exportResult is called by the pipeline after each export. It reports
// whether the failure should also reach OpenTelemetry's error handler: only
// while shutting down. Any other failure either detaches the provider here,
// which logs the one line, or comes from a pipeline that is detached or
// retired already, whose outage was logged before.
func (p *Provider) exportResult(in *instance, err error) (report bool) {
	p.mu.Lock()
	if err == nil {
		if p.inst == in {
			p.backoff = firstProbeDelay
			p.reportDropsLocked(in)
		}
		p.mu.Unlock()
		return false
	}
	if p.shutdown {
		p.mu.Unlock()
		return true
	}
	if p.inst != in || p.state != StateActive {
		p.mu.Unlock()
		return false
	}
	p.detachLocked(fmt.Sprintf("export to %s failed (%v)", p.cfg.Endpoint, err))
	subs := p.subs
	p.mu.Unlock()
	notify(subs)
	return false
}

// detachLocked removes the instrumentation and starts the probe. It logs
// one line (subject to the line budget).
func (p *Provider) detachLocked(why string) {
	p.state = StateDetached
	p.publishLocked()
	p.lines.log(slog.LevelWarn, "tracing: "+why+"; instrumentation removed until the collector answers",
		"probe_every_at_most", p.cfg.ProbeInterval.String())
	p.probe = startProber(p.cfg, p.backoff, p.reattach)
}

// reattach is the probe's callback once the collector answers OTLP at t. It
// runs on the probe's goroutine without locks held, builds a fresh pipeline
// outside the lock (the old exporter's connection may sit in gRPC's
// reconnect backoff for a minute or more, and would fail the first batches
// after the collector is back), and installs it only if the probe is still
// the provider's. It reports whether the probe is done.
func (p *Provider) reattach(pr *prober, t *target) bool {
	p.mu.Lock()
	if p.probe != pr || p.state != StateDetached || p.shutdown {
		p.mu.Unlock()
		return true
	}
	cfg, res := p.cfg, p.res
	p.mu.Unlock()

	inst, err := newInstance(context.Background(), cfg, t, res, p.prop, p.sampler, p.exportResult)
	if err != nil {
		// Cannot happen with the exporters in use (they dial lazily); were
		// it to, stay detached and keep probing rather than go back to a
		// pipeline that is known to fail.
		p.lines.log(slog.LevelWarn, "tracing: collector answers but the pipeline could not be built; staying detached", "err", err)
		return false
	}

	p.mu.Lock()
	if p.probe != pr || p.state != StateDetached || p.shutdown {
		// Replaced while building: the new pipeline never served.
		p.mu.Unlock()
		_ = inst.shutdown(context.Background())
		return true
	}
	p.retireLocked(p.inst)
	p.inst = inst
	p.state = StateActive
	p.publishLocked()
	p.backoff = pr.nextDelay()
	p.probe = nil
	p.lines.log(slog.LevelInfo, "tracing: collector at "+cfg.Endpoint+" answers; instrumentation restored")
	subs := p.subs
	p.mu.Unlock()
	notify(subs)
	return true
}
