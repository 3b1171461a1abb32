package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
)

// errShutdown is returned by Reload after Shutdown.
var errShutdown = errors.New("tracing: provider is shut down")

// Reload applies cfg to the running provider: on→off, off→on, a new
// endpoint, protocol, TLS material or service name (a new pipeline; the old
// one drains and flushes in the background), or new sampling rate and rules
// (applied in place). In-flight RPCs are not disturbed. An invalid cfg, or
// one whose TLS files cannot be read, changes nothing. A cfg equal to the
// one in force does nothing and logs nothing, so a supervisor that sends
// SIGHUP in a loop costs nothing.
//
// Reload may take up to a second (the collector check) but never blocks RPCs,
// exports or the state readers meanwhile.
//
// Guideline step 9: switching off and on (enhancements/distributed-tracing-with-opentelemetry.md).
func (p *Provider) Reload(ctx context.Context, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("validating tracing config: %w", err)
	}
	p.applyMu.Lock()
	defer p.applyMu.Unlock()
	p.mu.Lock()
	if p.shutdown {
		p.mu.Unlock()
		return errShutdown
	}
	cur := p.cfg
	switch {
	case !cfg.On() && !cur.On(), cfg.On() && cur.On() && sameConfig(cur, cfg):
		p.cfg = cfg // nothing to change (maybe a key of a disabled config)
		p.mu.Unlock()
		return nil
	case cfg.On() && cur.On() && samePipeline(cur, cfg):
		p.sampler.set(cfg)
		p.cfg = cfg
		p.mu.Unlock()
		p.lines.log(slog.LevelInfo, "tracing: sampling updated", "rate_per_million", cfg.SamplingRatePerMillion, "rules", len(cfg.SamplingRules))
		return nil
	}
	p.mu.Unlock()
	return p.apply(ctx, cfg)
}

// apply replaces the pipeline with one built for cfg. The caller holds
// applyMu, and not mu: building the pipeline reads TLS files and checking
// the collector does network I/O, both done before mu is taken.
func (p *Provider) apply(ctx context.Context, cfg Config) error {
	p.mu.Lock()
	res, resName := p.res, p.resName
	p.mu.Unlock()
	if res == nil || cfg.ServiceName != resName {
		r, err := newResource(ctx, cfg.ServiceName, p.opts)
		if err != nil {
			return err
		}
		res = r
	}
	var (
		inst   *instance
		absent error // why the collector does not answer
	)
	if cfg.On() {
		t, err := newTarget(cfg)
		if err != nil {
			return fmt.Errorf("tracing: %w", err)
		}
		if inst, err = newInstance(ctx, cfg, t, res, p.prop, p.sampler, p.exportResult); err != nil {
			return fmt.Errorf("tracing: building exporter: %w", err)
		}
		absent = checkCollector(ctx, t)
	}

	p.mu.Lock()
	oldProbe := p.probe
	if oldProbe != nil {
		oldProbe.cancel() // waited for below, without mu
		p.probe = nil
	}
	if p.inst != nil {
		p.retireLocked(p.inst)
	}
	prev := p.state
	p.inst, p.cfg, p.res, p.resName, p.backoff = inst, cfg, res, cfg.ServiceName, firstProbeDelay
	p.sampler.set(cfg)
	switch {
	case inst == nil:
		p.state = StateOff
		p.publishLocked()
		if prev != StateOff {
			p.lines.log(slog.LevelInfo, "tracing: disabled; instrumentation removed")
		}
	case absent == nil:
		p.state = StateActive
		p.publishLocked()
		p.lines.log(slog.LevelInfo, "tracing: enabled", "config", cfg.String())
	default:
		p.detachLocked(fmt.Sprintf("no collector answers at %s (%v)", cfg.Endpoint, absent))
	}
	subs := p.subs
	p.mu.Unlock()
	if oldProbe != nil {
		oldProbe.wait()
	}
	notify(subs)
	return nil
}

// sameConfig reports whether two enabled configs mean the same pipeline and
// the same sampling.
func sameConfig(a, b Config) bool {
	return samePipeline(a, b) && a.SamplingRatePerMillion == b.SamplingRatePerMillion &&
		slices.Equal(a.SamplingRules, b.SamplingRules)
}

// samePipeline reports whether two enabled configs can share one exporter.
func samePipeline(a, b Config) bool {
	return a.Endpoint == b.Endpoint && a.Protocol == b.Protocol && a.TLS == b.TLS &&
		a.TLSCAFile == b.TLSCAFile && a.TLSCertFile == b.TLSCertFile && a.TLSKeyFile == b.TLSKeyFile &&
		a.ServiceName == b.ServiceName && a.ExportQueueSize == b.ExportQueueSize &&
		a.ExportBatchSize == b.ExportBatchSize && a.ExportInterval == b.ExportInterval &&
		a.ExportTimeout == b.ExportTimeout && a.ProbeInterval == b.ProbeInterval &&
		maps.Equal(a.Headers, b.Headers)
}
