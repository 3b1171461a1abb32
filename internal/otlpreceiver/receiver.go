package otlpreceiver

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	// OTLP exporters (the collector's among them) gzip by default; a
	// receiver must take it.
	_ "google.golang.org/grpc/encoding/gzip"
)

// Receiver is an OTLP trace receiver (gRPC, or HTTP with StartWith) serving
// in the background. All
// methods are safe for concurrent use. Create one with Start and release it
// with Stop.
type Receiver struct {
	lis    *countingListener
	server *grpc.Server  // OTLP/gRPC; nil when serving HTTP
	http   *http.Server  // OTLP/HTTP; nil when serving gRPC
	served chan struct{} // closed when Serve has returned

	mu       sync.Mutex
	spans    []Span
	requests int
	failing  codes.Code
	changed  chan struct{} // closed and replaced whenever spans change

	stopOnce sync.Once
}

// Options change how StartWith serves. The zero value is what Start does:
// OTLP/gRPC in plaintext.
type Options struct {
	// TLS, when set, makes the receiver speak TLS with this configuration
	// (its Certificates, and ClientAuth/ClientCAs for mutual TLS).
	TLS *tls.Config
	// HTTP serves OTLP/HTTP (binary protobuf, POST /v1/traces) instead of
	// OTLP/gRPC.
	HTTP bool
}

// Start listens on addr and serves OTLP/gRPC trace exports on it in the
// background until Stop. addr is a TCP host:port; use "127.0.0.1:0" for a
// free port, or a fixed "127.0.0.1:PORT" to come back on the port of a
// receiver that was stopped: on Linux Go's net.Listen sets SO_REUSEADDR, so
// connections of the old receiver lingering in TIME_WAIT do not block the
// new bind (a port still held by a live listener does, and Start fails).
func Start(addr string) (*Receiver, error) { return StartWith(addr, Options{}) }

// StartWith is Start with options: TLS, mutual TLS, OTLP/HTTP.
func StartWith(addr string, opts Options) (*Receiver, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("otlp receiver: listening on %q: %w", addr, err)
	}
	r := &Receiver{
		lis:     &countingListener{Listener: l},
		served:  make(chan struct{}),
		changed: make(chan struct{}),
	}
	svc := &traceService{r: r}
	var serve func() error
	if opts.HTTP {
		var lis net.Listener = r.lis
		if opts.TLS != nil {
			lis = tls.NewListener(lis, opts.TLS)
		}
		// Failed handshakes are what TLS tests provoke; they are the
		// client's to report, not lines on the test's stderr.
		r.http = &http.Server{Handler: svc.httpHandler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
		serve = func() error { return r.http.Serve(lis) }
	} else {
		var sopts []grpc.ServerOption
		if opts.TLS != nil {
			// gRPC's own TLS credentials negotiate ALPN "h2", which
			// grpc-go clients require.
			sopts = append(sopts, grpc.Creds(credentials.NewTLS(opts.TLS)))
		}
		r.server = grpc.NewServer(sopts...)
		collectorpb.RegisterTraceServiceServer(r.server, svc)
		serve = func() error { return r.server.Serve(r.lis) }
	}
	go func() {
		defer close(r.served)
		// Serve returns after Stop, and otherwise only when the listener
		// fails; either way there is no one to tell but the waiters, who
		// see the span count stop moving.
		_ = serve()
	}()
	return r, nil
}

// Addr returns the host:port the receiver is bound to, with the port chosen
// by the kernel when Start was given port 0.
func (r *Receiver) Addr() string { return r.lis.Addr().String() }

// Spans returns a deep copy of every span received since Start or the last
// Reset, in arrival order; callers may modify it freely.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return cloneSpans(r.spans)
}

// Requests returns how many Export calls arrived since Start or the last
// Reset, including those that SetFailing made fail.
func (r *Receiver) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// Connections returns how many transport connections the receiver accepted
// since Start (Reset does not clear it). Zero proves no exporter dialled.
func (r *Receiver) Connections() int { return int(r.lis.accepted.Load()) }

// Reset forgets the spans and the request count received so far. It does not
// change SetFailing or the connection count.
func (r *Receiver) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = nil
	r.requests = 0
	r.notifyLocked()
}

// SetFailing makes every following Export fail with code, as a collector that
// is overloaded (codes.Unavailable, retried by exporters) or rejects data
// (codes.InvalidArgument, not retried) would. codes.OK restores normal
// service. Spans of failed exports are not kept.
func (r *Receiver) SetFailing(code codes.Code) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failing = code
}

// WaitFor blocks until cond, called with a deep copy of the spans received so
// far, returns true, and returns those spans. It re-checks whenever spans
// arrive or Reset runs. When ctx ends first it returns the spans it last saw
// and an error saying how many there were, wrapping ctx's error. cond runs
// without r's lock held, on the calling goroutine.
func (r *Receiver) WaitFor(ctx context.Context, cond func([]Span) bool) ([]Span, error) {
	for {
		r.mu.Lock()
		spans, changed := cloneSpans(r.spans), r.changed
		r.mu.Unlock()
		if cond(spans) {
			return spans, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return spans, fmt.Errorf("otlp receiver: condition not met with %d span(s) received: %w",
				len(spans), context.Cause(ctx))
		}
	}
}

// Stop stops serving, closes every connection and the listener, and waits
// for the serving goroutine to return. It is idempotent; the spans received
// stay readable.
func (r *Receiver) Stop() {
	r.stopOnce.Do(func() {
		if r.server != nil {
			r.server.Stop()
		} else {
			_ = r.http.Close()
		}
		<-r.served
		// Serve closes the listener when stopped; this Close only matters
		// if Serve failed before taking it over, and its error (normally
		// net.ErrClosed) has nobody to go to.
		_ = r.lis.Close()
	})
}

// record stores the spans of one export and wakes the waiters.
func (r *Receiver) record(spans []Span) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = append(r.spans, spans...)
	r.notifyLocked()
}

// notifyLocked wakes every WaitFor; r.mu must be held.
func (r *Receiver) notifyLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

func cloneSpans(spans []Span) []Span {
	if len(spans) == 0 {
		return nil
	}
	out := make([]Span, len(spans))
	for i, s := range spans {
		out[i] = s.clone()
	}
	return out
}
