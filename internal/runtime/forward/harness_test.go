package forward

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// socketPath returns a fresh unix socket path under t.TempDir().
func socketPath(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(t.TempDir(), name)
}

// server is a gRPC server on a unix socket that a test can stop and restart
// on the same path.
type server struct {
	t        *testing.T
	path     string
	opts     []grpc.ServerOption
	register func(*grpc.Server)

	mu   sync.Mutex
	srv  *grpc.Server
	done chan struct{}
}

// serve starts a gRPC server at path; register adds its services. The
// server is stopped when the test ends.
func serve(t *testing.T, path string, register func(*grpc.Server), opts ...grpc.ServerOption) *server {
	t.Helper()
	s := &server{t: t, path: path, opts: opts, register: register}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *server) start() {
	s.t.Helper()
	lis, err := net.Listen("unix", s.path)
	if err != nil {
		s.t.Fatalf("listen on %q: %v", s.path, err)
	}
	srv := grpc.NewServer(s.opts...)
	s.register(srv)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	s.mu.Lock()
	s.srv, s.done = srv, done
	s.mu.Unlock()
}

// stop stops the server, closes its connections and removes the socket.
func (s *server) stop() {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	srv.Stop()
	<-done
}

// dial returns a client connection to the unix socket at path, closed when
// the test ends.
func dial(t *testing.T, path string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("unix://"+path, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial %q: %v", path, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// newBackend returns a Backend for the socket at path, closed when the test
// ends.
func newBackend(t *testing.T, path string, opts Options) *Backend {
	t.Helper()
	opts.Endpoint = "unix://" + path
	b, err := New(opts)
	if err != nil {
		t.Fatalf("New(%q): %v", opts.Endpoint, err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

// chain is the full path a CRI call takes in these tests: a client, a front
// server serving the Backend, and the fake runtime behind it.
type chain struct {
	runtime  *fakeRuntime
	down     *server
	backend  *Backend
	rtClient runtimeapi.RuntimeServiceClient
	imClient runtimeapi.ImageServiceClient
	logs     *logBuffer
}

// front is how a test serves the Backend to its clients: as the generated
// services over the Backend's typed methods, or passed through as bytes
// (RegisterPassthrough), the way crio-trace serves it.
type front struct {
	name     string
	register func(s *grpc.Server, b *Backend)
	opts     func(b *Backend) []grpc.ServerOption
}

var fronts = []front{
	{name: "typed", register: func(s *grpc.Server, b *Backend) {
		runtimeapi.RegisterRuntimeServiceServer(s, b)
		runtimeapi.RegisterImageServiceServer(s, b)
	}, opts: func(*Backend) []grpc.ServerOption { return nil }},
	{name: "passthrough", register: func(s *grpc.Server, b *Backend) {
		b.RegisterPassthrough(s, nil, nil)
	}, opts: func(b *Backend) []grpc.ServerOption { return []grpc.ServerOption{b.PassthroughCodec()} }},
}

// eachFront runs test once per front, as a subtest named after it.
func eachFront(t *testing.T, test func(t *testing.T, fr front)) {
	for _, fr := range fronts {
		t.Run(fr.name, func(t *testing.T) { test(t, fr) })
	}
}

// newChain starts a fake runtime, a Backend forwarding to it and a front
// server serving the Backend through fr, and returns clients of the front
// server.
func newChain(t *testing.T, opts Options, fr front) *chain {
	t.Helper()
	dir := t.TempDir()
	c := &chain{runtime: newFakeRuntime(), logs: &logBuffer{}}
	c.down = serve(t, filepath.Join(dir, "rt.sock"), c.runtime.register)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(c.logs, nil))
	}
	c.backend = newBackend(t, c.down.path, opts)
	front := serve(t, filepath.Join(dir, "front.sock"), func(s *grpc.Server) { fr.register(s, c.backend) }, fr.opts(c.backend)...)
	conn := dial(t, front.path)
	c.rtClient = runtimeapi.NewRuntimeServiceClient(conn)
	c.imClient = runtimeapi.NewImageServiceClient(conn)
	return c
}

// logBuffer holds a test's log lines.
type logBuffer struct{ testutil.SyncBuffer }

// count returns how many log lines carry msg as their message.
func (b *logBuffer) count(msg string) int { return b.Count("msg=\"" + msg + "\"") }

// callCtx returns a context with a generous deadline for one test call.
func callCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
