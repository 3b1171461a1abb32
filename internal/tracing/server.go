package tracing

import (
	"context"
	"errors"
	"net"
	"sync"

	"google.golang.org/grpc"
)

// Server serves a gRPC service with tracing that can be switched on and off
// while it runs, and costs nothing while off.
//
// gRPC fixes a server's stats handlers at construction, and even an idle
// handler makes grpc-go allocate per RPC (stats events, metadata copies).
// So Server does not toggle a handler: it keeps one grpc.Server per
// instrumentation state — a "generation" — built by the caller's register
// function with or without the otelgrpc handler. On every change of the
// Provider's state it builds a new generation, hands it all new
// connections, and gracefully stops the old one: clients get GOAWAY, finish
// their in-flight RPCs on the old connection and transparently reconnect.
// While tracing is off the serving grpc.Server has no stats handler at all.
//
// Server is safe for concurrent use.
//
// Guideline step 3: server handler (enhancements/distributed-tracing-with-opentelemetry.md).
type Server struct {
	p        *Provider
	build    func(opts ...grpc.ServerOption) *grpc.Server
	mu       sync.Mutex
	cur      *generation
	live     map[*generation]struct{} // serving or draining
	draining sync.WaitGroup
	lis      net.Listener
	stopped  bool
}

// generation is one grpc.Server and the pipeline its spans go to.
type generation struct {
	srv   *grpc.Server
	queue *connQueue
	inst  *instance // nil: uninstrumented
}

// NewServer returns a Server whose generations are made by build, which
// must create a grpc.Server with the given options plus the caller's own,
// and register the services on it. build runs again at every switch.
func NewServer(p *Provider, build func(opts ...grpc.ServerOption) *grpc.Server) *Server {
	s := &Server{p: p, build: build, live: make(map[*generation]struct{})}
	p.Subscribe(s.refresh)
	return s
}

// Serve accepts connections on lis until Shutdown. It returns nil after a
// Shutdown and the accept error otherwise.
func (s *Server) Serve(lis net.Listener) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return errors.New("tracing: server already shut down")
	}
	s.lis = lis
	s.swapLocked()
	s.mu.Unlock()
	for {
		c, err := lis.Accept()
		if err != nil {
			s.mu.Lock()
			stopped := s.stopped
			s.mu.Unlock()
			if stopped {
				return nil
			}
			return err
		}
		s.hand(c)
	}
}

// hand gives c to the current generation, retrying if it started draining
// in the meantime. A generation that closes c untouched hands it back here
// (handoffConn), so a switch never costs a client its connection.
func (s *Server) hand(c net.Conn) {
	for {
		s.mu.Lock()
		g := s.cur
		s.mu.Unlock()
		if g == nil {
			_ = c.Close()
			return
		}
		if g.queue.push(&handoffConn{Conn: c, reroute: s.hand}) {
			return
		}
	}
}

// Instrumented reports whether the serving generation has the tracing handler.
func (s *Server) Instrumented() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur != nil && s.cur.inst != nil
}

// refresh is the Provider's change callback.
func (s *Server) refresh() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lis == nil || s.stopped {
		return
	}
	s.swapLocked()
}

// swapLocked starts a generation for the provider's current state if it
// differs from the serving one, and drains the old one.
func (s *Server) swapLocked() {
	inst := s.p.current()
	if s.cur != nil && s.cur.inst == inst {
		if inst != nil {
			inst.release()
		}
		return
	}
	// Guideline step 3: the handler lives only in an instrumented generation (enhancements/distributed-tracing-with-opentelemetry.md).
	// guideline:begin swap
	var opts []grpc.ServerOption
	if inst != nil {
		opts = append(opts, grpc.StatsHandler(inst.server))
	}
	g := &generation{srv: s.build(opts...), queue: newConnQueue(s.lis.Addr()), inst: inst}
	go func() { _ = g.srv.Serve(g.queue) }()
	// guideline:end swap
	s.live[g] = struct{}{}
	old := s.cur
	s.cur = g
	if old != nil {
		s.retire(old, false)
	}
}

// retire stops g in the background: gracefully, or at once with hard.
func (s *Server) retire(g *generation, hard bool) {
	s.draining.Add(1)
	go func() {
		defer s.draining.Done()
		if hard {
			g.srv.Stop()
		} else {
			g.srv.GracefulStop()
		}
		if g.inst != nil {
			g.inst.release()
		}
		s.mu.Lock()
		delete(s.live, g)
		s.mu.Unlock()
	}()
}

// Shutdown stops accepting, lets in-flight RPCs finish, and returns when
// they have, or stops them hard when ctx is done first (returning ctx's
// error). Call it before Provider.Shutdown so the spans of the drained RPCs
// are flushed rather than lost.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		s.draining.Wait()
		return nil
	}
	s.stopped = true
	if s.lis != nil {
		_ = s.lis.Close()
	}
	g := s.cur
	s.cur = nil
	s.mu.Unlock()
	if g != nil {
		s.retire(g, false)
	}
	done := make(chan struct{})
	go func() { s.draining.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	// Out of patience: stop whatever still drains.
	s.mu.Lock()
	gens := make([]*generation, 0, len(s.live))
	for g := range s.live {
		gens = append(gens, g)
	}
	s.mu.Unlock()
	for _, g := range gens {
		g.srv.Stop()
	}
	<-done
	return ctx.Err()
}
