package tracing

import (
	"context"
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
//
// Locking. Two mutexes, with one rule each:
//   - applyMu serialises what replaces the configuration (the first apply,
//     Reload, Shutdown). Holders may do network I/O (the collector check)
//     and wait for goroutines. Nothing on the RPC path, the export path or
//     the probe takes it.
//   - mu guards the fields below it for short sections only: never across
//     network I/O, never while waiting for a goroutine. The probe's callback
//     and every export's callback take it.
//
// applyMu is taken before mu, never the other way round.
type Provider struct {
	opts    options
	prop    propagation.TextMapPropagator
	sampler *ruleSampler // shared by every pipeline; rate and rules swap in place
	lines   *lineLimiter

	applyMu sync.Mutex

	mu       sync.Mutex
	cfg      Config
	res      *sdkresource.Resource
	resName  string    // the service.name res was built with
	inst     *instance // the pipeline of cfg; nil when off
	state    State
	subs     []func()
	probe    *prober
	retired  []*instance   // replaced pipelines, maybe still draining
	backoff  time.Duration // first probe wait of the next outage
	shutdown bool

	hot atomic.Pointer[instance] // inst while active, else nil; read lock-free per call
}

// NewProvider validates cfg and builds the provider. With tracing off it
// builds nothing: no exporter, no connection, no handler. With tracing on it
// checks once, for at most a second, whether the collector answers OTLP; if
// not, it starts detached (one log line) and keeps probing in the
// background. It never fails because a collector is absent; it fails when a
// setting is invalid or a TLS file cannot be read.
func NewProvider(ctx context.Context, cfg Config, opts ...Option) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("validating tracing config: %w", err)
	}
	p := &Provider{opts: newOptions(opts), prop: Propagator(), sampler: &ruleSampler{}, backoff: firstProbeDelay}
	p.lines = newLineLimiter(p.opts.logger, func() string { return p.State().String() })
	installErrorHandler(p)
	p.applyMu.Lock()
	defer p.applyMu.Unlock()
	if err := p.apply(ctx, cfg); err != nil {
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
	if in := p.hot.Load(); in != nil {
		return in.tp
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
	if in := p.hot.Load(); in != nil {
		return in.server
	}
	return nil
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

// publishLocked makes the active pipeline visible to the lock-free readers
// on the RPC path.
func (p *Provider) publishLocked() {
	if p.state == StateActive {
		p.hot.Store(p.inst)
	} else {
		p.hot.Store(nil)
	}
}

// notify calls the subscribers. Call it without p.mu held: a subscriber
// (Server.refresh) calls back into the provider.
func notify(subs []func()) {
	for _, fn := range subs {
		fn()
	}
}
