package tracing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/propagation"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"google.golang.org/grpc/stats"
)

// State is where a Provider stands.
type State int

const (
	// StateOff: tracing disabled; no instrumentation anywhere.
	StateOff State = iota
	// StateActive: tracing enabled and the collector answers; RPCs are traced.
	StateActive
	// StateDetached: tracing enabled but no collector answers; the
	// instrumentation is removed until the background probe finds one.
	StateDetached
)

func (s State) String() string {
	switch s {
	case StateOff:
		return "off"
	case StateActive:
		return "active"
	case StateDetached:
		return "detached"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Provider owns a component's tracing: the SDK pipeline, its on/off state,
// collector detection and reloads. It is the one object a component keeps;
// everything else (gRPC server and client options, tracers) is read from it.
// A Provider is safe for concurrent use. The zero value is not usable; call
// NewProvider.
type Provider struct {
	opts options
	prop propagation.TextMapPropagator
	res  *sdkresource.Resource

	mu       sync.Mutex
	cfg      Config
	inst     *instance // nil when off
	state    State
	subs     []func()
	probe    *prober
	retired  []*instance              // replaced pipelines, maybe still draining
	backoff  time.Duration            // first probe wait of the next outage
	hot      atomic.Pointer[instance] // inst while active, else nil; read lock-free per call
	shutdown bool
}

// NewProvider validates cfg and builds the provider. With tracing off it
// builds nothing: no exporter, no connection, no handler. With tracing on it
// checks once, briefly, whether the collector answers; if not, it starts
// detached (one log line) and keeps probing in the background. It never
// fails because a collector is absent.
func NewProvider(ctx context.Context, cfg Config, opts ...Option) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("validating tracing config: %w", err)
	}
	p := &Provider{opts: newOptions(opts), prop: Propagator()}
	res, err := newResource(ctx, cfg.ServiceName, p.opts)
	if err != nil {
		return nil, err
	}
	p.res = res
	installErrorHandler(p)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.applyLocked(ctx, cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// Propagator returns the propagators the kit uses on both sides of a gRPC
// call: W3C TraceContext and Baggage, what kubelet's CRI client sends.
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// State returns the current state.
func (p *Provider) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// Config returns the configuration in force.
func (p *Provider) Config() Config {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg
}

// TracerProvider returns the provider to start spans with: the SDK's while
// active, a no-op one otherwise. Inner spans should rather use Start, which
// follows the RPC's own span.
func (p *Provider) TracerProvider() trace.TracerProvider {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == StateActive {
		return p.inst.tp
	}
	return noop.NewTracerProvider()
}

// current returns the instance to instrument with, acquired, or nil when
// instrumentation is removed (off or detached). Callers release it.
func (p *Provider) current() *instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != StateActive {
		return nil
	}
	p.inst.acquire()
	return p.inst
}

// ServerHandler returns the otelgrpc server handler while active, nil
// otherwise. Prefer Server, which follows state changes by itself.
func (p *Provider) ServerHandler() stats.Handler {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != StateActive {
		return nil
	}
	return p.inst.server
}

// Subscribe registers fn to be called, without locks held, after every
// change of state or pipeline. Server uses it to swap its gRPC server.
func (p *Provider) Subscribe(fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.subs = append(p.subs, fn)
}

// Dropped returns how many spans the current pipeline failed to export or
// could not queue since it was built.
func (p *Provider) Dropped() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inst == nil {
		return 0
	}
	return p.inst.dropped.Load()
}

// Reload applies cfg to the running provider: on→off, off→on, a new
// endpoint, protocol or service name (a new pipeline; the old one drains and
// flushes in the background), or new sampling rate and rules (applied in
// place). In-flight RPCs are not disturbed. An invalid cfg changes nothing.
//
// Guideline step 9: switching off and on (enhancements/distributed-tracing-with-opentelemetry.md).
func (p *Provider) Reload(ctx context.Context, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("validating tracing config: %w", err)
	}
	p.mu.Lock()
	if p.shutdown {
		p.mu.Unlock()
		return errors.New("tracing: provider is shut down")
	}
	if cfg.ServiceName != p.cfg.ServiceName {
		res, err := newResource(ctx, cfg.ServiceName, p.opts)
		if err != nil {
			p.mu.Unlock()
			return err
		}
		p.res = res
		p.cfg.ServiceName = "" // force a rebuild below
	}
	if p.inst != nil && cfg.On() && samePipeline(p.cfg, cfg) {
		p.inst.sampler.cur.Store(newRuleSet(cfg.SamplingRules, cfg.SamplingRatePerMillion))
		p.cfg = cfg
		p.mu.Unlock()
		p.opts.logger.Info("tracing: sampling updated", "rate_per_million", cfg.SamplingRatePerMillion, "rules", len(cfg.SamplingRules))
		return nil
	}
	err := p.applyLocked(ctx, cfg)
	subs := p.subs
	p.mu.Unlock()
	for _, fn := range subs {
		fn()
	}
	return err
}

// applyLocked replaces the pipeline with one built for cfg.
func (p *Provider) applyLocked(ctx context.Context, cfg Config) error {
	if p.probe != nil {
		p.probe.stop()
		p.probe = nil
	}
	old := p.inst
	p.inst, p.cfg = nil, cfg
	if old != nil {
		p.retireLocked(ctx, old)
	}
	if !cfg.On() {
		if p.state != StateOff {
			p.opts.logger.Info("tracing: disabled; instrumentation removed")
		}
		p.state = StateOff
		p.publishLocked()
		return nil
	}
	inst, err := newInstance(ctx, cfg, p.res, p.prop, p.exportResult)
	if err != nil {
		p.state = StateOff
		p.publishLocked()
		return fmt.Errorf("tracing: building exporter: %w", err)
	}
	p.inst = inst
	if reachable(ctx, cfg) {
		p.state = StateActive
		p.publishLocked()
		p.opts.logger.Info("tracing: enabled", "config", cfg.String())
		return nil
	}
	p.detachLocked("no collector answers at " + cfg.Endpoint)
	return nil
}

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
	for _, fn := range subs {
		fn()
	}
	return false
}

// detachLocked removes the instrumentation and starts the probe. It logs
// exactly one line.
//
// Guideline step 9: no collector, no instrumentation (enhancements/distributed-tracing-with-opentelemetry.md).
func (p *Provider) detachLocked(why string) {
	p.state = StateDetached
	p.publishLocked()
	p.opts.logger.Warn("tracing: "+why+"; instrumentation removed until the collector answers",
		"probe_every_at_most", p.cfg.ProbeInterval.String())
	p.probe = startProber(p.cfg, p.backoff, p.reattach)
}

// reattach is the probe's callback once the collector answers.
func (p *Provider) reattach(pr *prober) {
	p.mu.Lock()
	if p.probe != pr || p.state != StateDetached || p.shutdown {
		p.mu.Unlock()
		return
	}
	// A fresh pipeline: the old exporter's connection may sit in gRPC's
	// reconnect backoff for a minute or more, and would fail the first
	// batches after the collector is back.
	inst, err := newInstance(context.Background(), p.cfg, p.res, p.prop, p.exportResult)
	if err == nil {
		p.retireLocked(context.Background(), p.inst)
		p.inst = inst
	}
	p.state = StateActive
	p.publishLocked()
	p.backoff = pr.nextDelay()
	p.probe = nil
	p.opts.logger.Info("tracing: collector at " + p.cfg.Endpoint + " answers; instrumentation restored")
	subs := p.subs
	p.mu.Unlock()
	for _, fn := range subs {
		fn()
	}
}

// ForceFlush exports every finished span now.
func (p *Provider) ForceFlush(ctx context.Context) error {
	p.mu.Lock()
	inst := p.inst
	p.mu.Unlock()
	if inst == nil {
		return nil
	}
	return inst.tp.ForceFlush(ctx)
}

// Shutdown stops probing and flushes and stops every pipeline, waiting at
// most until ctx is done. Stop the gRPC server first (Server.Shutdown): spans
// end when their RPCs end, so flushing before draining loses them. Shutdown
// is idempotent.
//
// Guideline step 2: shutdown order (enhancements/distributed-tracing-with-opentelemetry.md).
func (p *Provider) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	if p.probe != nil {
		p.probe.stop()
		p.probe = nil
	}
	all := p.retired
	if p.inst != nil {
		all = append(all, p.inst)
	}
	p.shutdown, p.state, p.inst, p.retired = true, StateOff, nil, nil
	p.publishLocked()
	p.mu.Unlock()
	var errs []error
	for _, in := range all {
		errs = append(errs, in.shutdown(ctx))
	}
	return errors.Join(errs...)
}

// samePipeline reports whether two enabled configs can share one exporter.
func samePipeline(a, b Config) bool {
	return a.Endpoint == b.Endpoint && a.Protocol == b.Protocol && a.TLS == b.TLS &&
		a.TLSCAFile == b.TLSCAFile && a.TLSCertFile == b.TLSCertFile && a.TLSKeyFile == b.TLSKeyFile &&
		a.ServiceName == b.ServiceName && a.ExportQueueSize == b.ExportQueueSize &&
		a.ExportBatchSize == b.ExportBatchSize && a.ExportInterval == b.ExportInterval &&
		a.ExportTimeout == b.ExportTimeout && a.ProbeInterval == b.ProbeInterval &&
		mapsEqual(a.Headers, b.Headers)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// publishLocked makes the active pipeline visible to the lock-free readers
// on the RPC path.
func (p *Provider) publishLocked() {
	if p.state == StateActive {
		p.hot.Store(p.inst)
	} else {
		p.hot.Store(nil)
	}
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

// retireLocked hands in over to draining: it is shut down once the last
// server generation using it lets go. Pipelines that finished are forgotten,
// so a collector that flaps for days does not grow the list.
func (p *Provider) retireLocked(ctx context.Context, in *instance) {
	kept := p.retired[:0]
	for _, r := range p.retired {
		select {
		case <-r.done:
		default:
			kept = append(kept, r)
		}
	}
	p.retired = append(kept, in)
	in.release(ctx)
}

// dropLogInterval is the least time between two "spans dropped" lines.
var dropLogInterval = 10 * time.Second

// reportDropsLocked logs, at most once per dropLogInterval, how many spans
// the pipeline lost since the last line. It runs after successful exports
// only: while the collector is away the one "instrumentation removed" line
// has said it all.
func (p *Provider) reportDropsLocked(in *instance) {
	total := in.dropped.Load()
	if total == in.reported || time.Since(in.lastLog) < dropLogInterval {
		return
	}
	p.opts.logger.Warn("tracing: spans dropped: the export queue was full or an export failed",
		"dropped", total-in.reported, "dropped_total", total, "queue_size", in.cfg.ExportQueueSize)
	in.reported, in.lastLog = total, time.Now()
}
