package server

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// harness is a Server behind a real grpc.Server on a unix socket, traced by
// otelgrpc into a span recorder as the daemon does, with a client that
// propagates its own CLIENT spans the way the kubelet does.
type harness struct {
	srv     *Server
	backend *fakeBackend
	rt      runtimeapi.RuntimeServiceClient
	img     runtimeapi.ImageServiceClient
	rec     *tracetest.SpanRecorder
	logs    *testutil.SyncBuffer
}

func newHarness(t *testing.T, backend *fakeBackend) *harness {
	t.Helper()
	h := newHarnessFor(t, backend)
	h.backend = backend
	return h
}

// newHarnessFor is newHarness over any Backend; h.backend stays nil.
func newHarnessFor(t *testing.T, backend Backend) *harness {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() {
		if err := tp.Shutdown(context.Background()); err != nil {
			t.Errorf("tracer provider shutdown: %v", err)
		}
	})
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

	logs := &testutil.SyncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := New(backend, Options{Logger: logger})

	gs := grpc.NewServer(append(srv.ServerOptions(),
		grpc.StatsHandler(otelgrpc.NewServerHandler(
			otelgrpc.WithTracerProvider(tp), otelgrpc.WithPropagators(prop))))...)
	srv.Register(gs)
	sock := filepath.Join(t.TempDir(), "crio.sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatalf("listen on %q: %v", sock, err)
	}
	served := make(chan error, 1)
	go func() { served <- gs.Serve(lis) }()
	t.Cleanup(func() {
		gs.Stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})

	conn, err := grpc.NewClient("unix://"+sock,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler(
			otelgrpc.WithTracerProvider(tp), otelgrpc.WithPropagators(prop))))
	if err != nil {
		t.Fatalf("dial %q: %v", sock, err)
	}
	t.Cleanup(func() { _ = conn.Close() })

	return &harness{
		srv:  srv,
		rt:   runtimeapi.NewRuntimeServiceClient(conn),
		img:  runtimeapi.NewImageServiceClient(conn),
		rec:  rec,
		logs: logs,
	}
}

// serverSpans waits until want SERVER spans named name have ended and
// returns them. otelgrpc ends a server span after the response is on the
// wire, so the client can see the answer before the span is recorded.
func (h *harness) serverSpans(t *testing.T, name string, want int) []sdktrace.ReadOnlySpan {
	t.Helper()
	var got []sdktrace.ReadOnlySpan
	ok := testutil.Eventually(5*time.Second, func() bool {
		got = got[:0]
		for _, s := range h.rec.Ended() {
			if s.SpanKind() == trace.SpanKindServer && s.Name() == name {
				got = append(got, s)
			}
		}
		return len(got) >= want
	})
	if !ok || len(got) != want {
		t.Fatalf("SERVER spans named %q: got %d, want %d", name, len(got), want)
	}
	return got
}

// attrs returns a span's attributes as a map of their emitted values.
func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
	out := make(map[attribute.Key]string)
	for _, kv := range s.Attributes() {
		out[kv.Key] = kv.Value.Emit()
	}
	return out
}
