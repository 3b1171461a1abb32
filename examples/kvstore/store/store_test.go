package store

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestInnerSpans checks each operation's span: its name, its parent (the
// RPC's span), its scope (this package), and its status: Error only for a
// failure, not for a miss.
func TestInnerSpans(t *testing.T) {
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name       string
		ctx        context.Context
		run        func(ctx context.Context, s *Store) error
		wantSpan   string
		wantStatus codes.Code
	}{
		{name: "put", ctx: t.Context(), run: func(ctx context.Context, s *Store) error { _, err := s.Put(ctx, "k", []byte("v")); return err }, wantSpan: SpanWrite},
		{name: "get hit", ctx: t.Context(), run: func(ctx context.Context, s *Store) error {
			if _, err := s.Put(context.Background(), "k", []byte("v")); err != nil {
				return err
			}
			_, _, err := s.Get(ctx, "k")
			return err
		}, wantSpan: SpanRead},
		{name: "get miss is not a failure", ctx: t.Context(), run: func(ctx context.Context, s *Store) error {
			if _, _, err := s.Get(ctx, "absent"); !errors.Is(err, ErrNotFound) {
				return errors.New("want ErrNotFound")
			}
			return nil
		}, wantSpan: SpanRead},
		{name: "put after cancel fails", ctx: canceled, run: func(ctx context.Context, s *Store) error {
			if _, err := s.Put(ctx, "k", []byte("v")); !errors.Is(err, context.Canceled) {
				return errors.New("want context.Canceled")
			}
			return nil
		}, wantSpan: SpanWrite, wantStatus: codes.Error},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			defer func() { _ = tp.Shutdown(context.WithoutCancel(t.Context())) }()
			ctx, rpc := tp.Tracer("test").Start(tc.ctx, "kvstore.v1.KV/Op")
			if err := tc.run(ctx, New()); err != nil {
				t.Fatal(err)
			}
			rpc.End()
			var got []sdktrace.ReadOnlySpan
			for _, s := range rec.Ended() {
				if s.Name() == tc.wantSpan {
					got = append(got, s)
				}
			}
			if len(got) != 1 {
				t.Fatalf("%d %s spans, want 1", len(got), tc.wantSpan)
			}
			s := got[0]
			if s.Parent().SpanID() != rpc.SpanContext().SpanID() {
				t.Error("the store span is not a child of the RPC span")
			}
			if s.InstrumentationScope().Name != "github.com/crio-trace/crio-trace/examples/kvstore/store" {
				t.Errorf("scope %q, want the store package's", s.InstrumentationScope().Name)
			}
			if s.Status().Code != tc.wantStatus {
				t.Errorf("status %v, want %v", s.Status().Code, tc.wantStatus)
			}
		})
	}
}

// TestVersions checks the store's own behaviour: versions count Puts, and
// values are copies.
func TestVersions(t *testing.T) {
	s := New()
	buf := []byte("one")
	for want := int64(1); want <= 3; want++ {
		v, err := s.Put(t.Context(), "k", buf)
		if err != nil || v != want {
			t.Fatalf("Put = %d, %v; want %d", v, err, want)
		}
	}
	buf[0] = 'X'
	got, v, err := s.Get(t.Context(), "k")
	if err != nil || string(got) != "one" || v != 3 {
		t.Errorf("Get = %q, %d, %v; want \"one\", 3", got, v, err)
	}
}
