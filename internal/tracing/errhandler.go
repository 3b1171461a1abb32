package tracing

import (
	"sync"
	"time"

	"go.opentelemetry.io/otel"
)

// errorLogInterval is the least time between two lines about OpenTelemetry's
// own errors.
const errorLogInterval = time.Minute

// errorSink receives the SDK's internal errors (otel.Handle). The SDK
// reports every failed export there; left to the default handler that is a
// line per batch on stderr while a collector is away — exactly the noise the
// kit promises not to make. The sink drops errors while the provider is not
// active (the state change was logged once already) and otherwise logs at
// most one line per errorLogInterval, with the count it held back.
type errorSink struct {
	mu         sync.Mutex
	provider   *Provider
	last       time.Time
	suppressed int
}

var (
	sink        errorSink
	installOnce sync.Once
)

// installErrorHandler routes OpenTelemetry's global error handler to p's
// logger. The handler is process-wide; the most recent provider owns it.
func installErrorHandler(p *Provider) {
	sink.mu.Lock()
	sink.provider = p
	sink.mu.Unlock()
	installOnce.Do(func() { otel.SetErrorHandler(otel.ErrorHandlerFunc(sink.handle)) })
}

func (s *errorSink) handle(err error) {
	s.mu.Lock()
	p := s.provider
	if p == nil {
		s.mu.Unlock()
		return
	}
	if p.State() != StateActive {
		s.mu.Unlock()
		return
	}
	now := time.Now()
	if !s.last.IsZero() && now.Sub(s.last) < errorLogInterval {
		s.suppressed++
		s.mu.Unlock()
		return
	}
	held := s.suppressed
	s.last, s.suppressed = now, 0
	s.mu.Unlock()
	p.opts.logger.Warn("tracing: opentelemetry error", "err", err, "similar_suppressed", held)
}
