package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/crio-trace/crio-trace/examples/kvstore/kvpb"
	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/tracing"
)

// Span names otelgrpc gives kvstore's RPCs, on both sides of a call.
const (
	spanPut = "kvstore.v1.KV/Put"
	spanGet = "kvstore.v1.KV/Get"
)

// caller plays the first hop's client: an SDK provider of the test's own
// whose CLIENT spans are the parents the tests check kvstore's spans against.
type caller struct {
	tp  *sdktrace.TracerProvider
	rec *tracetest.SpanRecorder
	kv  kvpb.KVClient
}

func newCaller(t *testing.T, sock string) *caller {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	conn, err := grpc.NewClient("unix://"+sock,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(tp), otelgrpc.WithPropagators(tracing.Propagator()))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		_ = tp.Shutdown(context.WithoutCancel(t.Context()))
	})
	return &caller{tp: tp, rec: rec, kv: kvpb.NewKVClient(conn)}
}

// traced runs call under a new sampled root span and returns the trace id
// and the id of the CLIENT span otelgrpc made for the call, in hex.
func (c *caller) traced(t *testing.T, call func(ctx context.Context) error) (traceID, clientSpanID string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ctx, root := c.tp.Tracer("kvstore-test").Start(ctx, "test.call")
	err = call(ctx)
	root.End()
	tid := root.SpanContext().TraceID()
	for _, s := range c.rec.Ended() {
		if s.SpanContext().TraceID() == tid && s.SpanKind() == trace.SpanKindClient {
			return tid.String(), s.SpanContext().SpanID().String(), err
		}
	}
	t.Fatalf("the caller made no CLIENT span in trace %s", tid)
	return "", "", err
}

// put stores value under key through a traced call.
func (c *caller) put(t *testing.T, key string, value []byte) (traceID, clientSpanID string, err error) {
	t.Helper()
	return c.traced(t, func(ctx context.Context) error {
		_, err := c.kv.Put(ctx, &kvpb.PutRequest{Key: key, Value: value})
		return err
	})
}

// mustPut is put that fails t on an error.
func (c *caller) mustPut(t *testing.T, key string, value []byte) (traceID, clientSpanID string) {
	t.Helper()
	tid, sid, err := c.put(t, key, value)
	if err != nil {
		t.Fatalf("Put %q: %v", key, err)
	}
	return tid, sid
}

// startReceiver starts an in-process OTLP receiver on addr ("127.0.0.1:0"
// for any free port).
func startReceiver(t *testing.T, addr string) *otlpreceiver.Receiver {
	t.Helper()
	r, err := otlpreceiver.Start(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// waitTrace waits until r holds at least n spans of trace traceID and
// returns them.
func waitTrace(t *testing.T, r *otlpreceiver.Receiver, traceID string, n int) []otlpreceiver.Span {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), spanTimeout)
	defer cancel()
	spans, err := r.WaitFor(ctx, func(s []otlpreceiver.Span) bool { return len(otlpreceiver.Trace(s, traceID)) >= n })
	if err != nil {
		t.Fatalf("waiting for %d spans of trace %s: %v\nreceived: %v", n, traceID, err, names(spans))
	}
	return otlpreceiver.Trace(spans, traceID)
}

// names lists spans as service/name for messages.
func names(spans []otlpreceiver.Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Service + "/" + s.Kind + "/" + s.Name
	}
	return out
}

// one returns the only span of spans with this service, kind and name.
func one(t *testing.T, spans []otlpreceiver.Span, service, kind, name string) otlpreceiver.Span {
	t.Helper()
	var got []otlpreceiver.Span
	for _, s := range spans {
		if s.Service == service && s.Kind == kind && s.Name == name {
			got = append(got, s)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d %s spans %q from %s, want 1; trace: %v", len(got), kind, name, service, names(spans))
	}
	return got[0]
}

// socketDir returns a short directory for sockets, removed when t ends
// (t.TempDir paths can pass the 107 bytes a socket path may have).
func socketDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "kv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// writeConfig writes a [kvstore.tracing] table to dir/name.toml with
// export and probing quick enough for a test, and returns its path.
func writeConfig(t *testing.T, dir, name string, enabled bool, endpoint, service string) string {
	t.Helper()
	path := filepath.Join(dir, name+".toml")
	body := fmt.Sprintf(`[kvstore.tracing]
enable_tracing = %t
tracing_endpoint = %q
tracing_service_name = %q
tracing_export_interval = "50ms"
tracing_probe_interval = "200ms"
`, enabled, endpoint, service)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
