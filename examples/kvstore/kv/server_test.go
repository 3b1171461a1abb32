package kv

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/crio-trace/crio-trace/examples/kvstore/kvpb"
	"github.com/crio-trace/crio-trace/examples/kvstore/store"
	"github.com/crio-trace/crio-trace/internal/tracing"
)

// TestServerSpans serves the KV API over a real socket with otelgrpc and
// the kit's Interceptor, and checks each call's SERVER span: the allow-listed
// attributes, never the value, and the status the interceptor records.
func TestServerSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.WithoutCancel(t.Context())) })
	g := grpc.NewServer(append((tracing.Interceptor{}).ServerOptions(),
		grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithTracerProvider(tp), otelgrpc.WithPropagators(tracing.Propagator()))))...)
	kvpb.RegisterKVServer(g, NewServer(store.New()))
	sock := filepath.Join(t.TempDir(), "kv.sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = g.Serve(lis) }()
	t.Cleanup(g.Stop)
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	client := kvpb.NewKVClient(conn)

	tests := []struct {
		name      string
		call      func(ctx context.Context) error
		span      string
		wantCode  codes.Code
		wantAttrs map[attribute.Key]string
		wantError bool // span status Error
	}{
		{name: "put", span: "kvstore.v1.KV/Put", call: func(ctx context.Context) error {
			_, err := client.Put(ctx, &kvpb.PutRequest{Key: "a", Value: []byte("hunter2")})
			return err
		}, wantAttrs: map[attribute.Key]string{AttrKey: "a", AttrVersion: "1"}},
		{name: "get hit", span: "kvstore.v1.KV/Get", call: func(ctx context.Context) error {
			_, err := client.Get(ctx, &kvpb.GetRequest{Key: "a"})
			return err
		}, wantAttrs: map[attribute.Key]string{AttrKey: "a", AttrVersion: "1"}},
		{name: "get miss", span: "kvstore.v1.KV/Get", wantCode: codes.NotFound, call: func(ctx context.Context) error {
			_, err := client.Get(ctx, &kvpb.GetRequest{Key: "b"})
			return err
		}, wantAttrs: map[attribute.Key]string{AttrKey: "b", tracing.AttrGRPCStatusCode: "5"}},
		{name: "key too long", span: "kvstore.v1.KV/Put", wantCode: codes.InvalidArgument, call: func(ctx context.Context) error {
			_, err := client.Put(ctx, &kvpb.PutRequest{Key: strings.Repeat("k", MaxKeyLen+1)})
			return err
		}, wantAttrs: map[attribute.Key]string{tracing.AttrGRPCStatusCode: "3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec.Reset()
			if err := tc.call(t.Context()); status.Code(err) != tc.wantCode {
				t.Fatalf("code %v (%v), want %v", status.Code(err), err, tc.wantCode)
			}
			var got sdktrace.ReadOnlySpan
			waitEnded(t, rec, func(s sdktrace.ReadOnlySpan) bool {
				if s.Name() == tc.span {
					got = s
					return true
				}
				return false
			})
			attrs := map[attribute.Key]string{}
			for _, kv := range got.Attributes() {
				attrs[kv.Key] = kv.Value.Emit()
				if strings.Contains(kv.Value.Emit(), "hunter2") {
					t.Errorf("attribute %s holds the value", kv.Key)
				}
			}
			for k, v := range tc.wantAttrs {
				if attrs[k] != v {
					t.Errorf("%s = %q, want %q (all: %v)", k, attrs[k], v, attrs)
				}
			}
			if (got.Status().Code.String() == "Error") != tc.wantError {
				t.Errorf("status %v, want error %v", got.Status(), tc.wantError)
			}
		})
	}
}

// waitEnded waits up to 10 s until rec holds an ended span that match
// accepts: the server span ends just after the client has its answer.
func waitEnded(t *testing.T, rec *tracetest.SpanRecorder, match func(sdktrace.ReadOnlySpan) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range rec.Ended() {
			if match(s) {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the server span never ended")
}
