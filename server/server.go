package server

import (
	"context"
	"log/slog"
	"runtime"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/criattrs"
	"github.com/crio-trace/crio-trace/internal/tracing"
)

// Backend does the work behind the CRI API: the embedded runtime, or a client
// that forwards every call to a real CRI runtime. Implementations embed
// runtimeapi.UnimplementedRuntimeServiceServer and
// runtimeapi.UnimplementedImageServiceServer for the methods they lack.
type Backend interface {
	runtimeapi.RuntimeServiceServer
	runtimeapi.ImageServiceServer
}

// Options configures a Server. The zero value is ready to use.
type Options struct {
	// Logger receives one debug record per call, and an error record for
	// calls that fail with Internal, Unknown or DataLoss or that panic. Nil
	// discards everything.
	Logger *slog.Logger
}

// Server serves the CRI RuntimeService and ImageService in front of a
// Backend. It validates requests, puts allow-listed pod, container and image
// attributes on the RPC's server span and delegates. It never starts a span
// of its own for an RPC: that span comes from otelgrpc's stats handler, which
// the daemon installs on the grpc.Server.
//
// A Server is safe for concurrent use.
type Server struct {
	// The embedded types only supply the unexported marker methods the
	// generated interfaces require; every RPC is implemented explicitly.
	runtimeapi.UnimplementedRuntimeServiceServer
	runtimeapi.UnimplementedImageServiceServer

	backend Backend
	logger  *slog.Logger
	attrs   *criattrs.Annotator
	ic      tracing.Interceptor
}

var (
	_ runtimeapi.RuntimeServiceServer = (*Server)(nil)
	_ runtimeapi.ImageServiceServer   = (*Server)(nil)
)

// New returns a Server that delegates to backend. A nil opts.Logger discards
// logs.
func New(backend Backend, opts Options) *Server {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		backend: backend,
		logger:  logger,
		attrs:   criattrs.New(criattrs.DefaultIndexLimit),
	}
	s.ic = s.interceptor()
	return s
}

// IndexLen returns how many sandboxes and containers the Server's attribute
// index holds (criattrs.Annotator.IndexLen): the names behind the ids that
// later calls carry alone, bounded by criattrs.DefaultIndexLimit each.
func (s *Server) IndexLen() (sandboxes, containers int) { return s.attrs.IndexLen() }

// Passthrough is a Backend that can serve both CRI services itself,
// passing each call on without decoding it (forward mode,
// internal/runtime/forward). A Server registers such a backend in its
// place: requests are not validated (the runtime behind validates them),
// and the Server only annotates the call's span and learns from its answer,
// reading the few fields it needs from the undecoded messages
// (criattrs.Undecoded).
type Passthrough interface {
	Backend
	// PassthroughCodec is the server option the grpc.Server needs to hand
	// the passed-through services their calls undecoded.
	PassthroughCodec() grpc.ServerOption
	// RegisterPassthrough registers both services on r; annotate runs
	// before each unary call goes on, observe after it succeeded.
	RegisterPassthrough(r grpc.ServiceRegistrar, annotate func(context.Context, any), observe func(context.Context, any, any))
}

// Register registers s as both the RuntimeService and the ImageService on r,
// or, when the backend is a Passthrough, the backend's own services with
// s's annotation around every call.
func (s *Server) Register(r grpc.ServiceRegistrar) {
	if p, ok := s.backend.(Passthrough); ok {
		p.RegisterPassthrough(r, s.annotate, s.observe)
		return
	}
	runtimeapi.RegisterRuntimeServiceServer(r, s)
	runtimeapi.RegisterImageServiceServer(r, s)
}

// ServerOptions returns the interceptors the Server relies on: the tracing
// kit's per-call logging, error recording on the RPC's span, conversion of
// errors to gRPC status and panic recovery (tracing.Interceptor), with the
// CRI attributes for the log record (and, for a Passthrough backend, the
// codec it needs), and a pool of stream workers (streamWorkers). Pass
// them to grpc.NewServer together with the tracing stats handler.
//
// Guideline steps 3 and 5: interceptors next to the tracing handler (enhancements/distributed-tracing-with-opentelemetry.md).
func (s *Server) ServerOptions() []grpc.ServerOption {
	opts := append(s.ic.ServerOptions(), grpc.NumStreamWorkers(streamWorkers()))
	if p, ok := s.backend.(Passthrough); ok {
		opts = append(opts, p.PassthroughCodec())
	}
	return opts
}

// streamWorkers is how many goroutines serve calls, one at a time each,
// before gRPC starts a goroutine per call (its default for all calls). A
// new goroutine starts with a small stack, and a CRI call's path — the
// interceptor, the handler, the onward call in forward mode, and with
// tracing on the SDK starting a span or two — grows it several times, each
// time copying it (runtime.morestack): a worker keeps its grown stack from
// call to call. One per CPU, as gRPC suggests (grpc.NumStreamWorkers);
// kubelet seldom has more CRI calls in flight, and those past it get a
// goroutine of their own as before.
func streamWorkers() uint32 { return uint32(max(runtime.GOMAXPROCS(0), 1)) }
