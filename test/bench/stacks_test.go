package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/tracing"
)

// TestStacks proves each stack is wired as the benchmarks claim, so a
// ratio between two of them compares what its name says: which tracing
// state the provider is in, how many spans one sampled Version call leaves
// at the receiver, and that they are children of kubelet's client span.
func TestStacks(t *testing.T) {
	wantState := map[string]string{
		"b-off":       tracing.StateOff.String(),
		"c-on":        tracing.StateActive.String(),
		"d-down":      tracing.StateDetached.String(),
		"e-unsampled": tracing.StateActive.String(),
	}
	for _, s := range stacks() {
		t.Run(s.name, func(t *testing.T) {
			ctx := quiet(t.Context())
			var recv *otlpreceiver.Receiver
			var otlp string
			if s.exports {
				recv = startReceiver(t)
				otlp = recv.Addr()
			}
			st := s.startWith(t, otlp)
			st.receiver = recv
			want, ok := wantState[s.name]
			if !ok {
				want = "none" // no crio-trace provider in the stack
			}
			if got := st.state(t); got != want {
				t.Fatalf("provider state = %v, want %v", got, want)
			}
			rec := tracetest.NewSpanRecorder()
			k, err := newKubelet(ctx, st.endpoint, s.sampled, rec)
			if err != nil {
				t.Fatal(err)
			}
			defer k.close(ctx)
			if _, err := k.rt.Version(ctx, "v1"); err != nil {
				t.Fatalf("Version: %v", err)
			}
			if st.receiver == nil {
				if s.spansPerVersion != 0 {
					t.Fatalf("stack %s has no receiver but expects %d spans", s.name, s.spansPerVersion)
				}
				return
			}
			got := versionSpans(t, st, rec, s.sampled, s.spansPerVersion)
			if len(got) != s.spansPerVersion {
				t.Fatalf("receiver got %d span(s) for one Version call, want %d: %v", len(got), s.spansPerVersion, names(got))
			}
		})
	}
}

// versionSpans returns the spans of the last Version call at st's
// receiver, the ones in kubelet's trace, and checks the SERVER span's parent
// is kubelet's client span. The server ends its span after answering, so it
// flushes and polls until want spans are there or a deadline passes.
func versionSpans(t *testing.T, st *stack, rec *tracetest.SpanRecorder, sampled bool, want int) []otlpreceiver.Span {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if !sampled {
		if err := st.flush(ctx); err != nil {
			t.Fatalf("flushing: %v", err)
		}
		return st.receiver.Spans()
	}
	client := clientSpan(t, rec.Ended(), "runtime.v1.RuntimeService/Version").SpanContext()
	var got []otlpreceiver.Span
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := st.flush(ctx); err != nil {
			t.Fatalf("flushing: %v", err)
		}
		got = got[:0]
		for _, sp := range st.receiver.Spans() {
			if sp.TraceID == client.TraceID().String() {
				got = append(got, sp)
			}
		}
		if len(got) >= want {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("after 10s the receiver has %d span(s) of kubelet's trace, want %d", len(got), want)
		case <-tick.C:
		}
	}
	for _, sp := range got {
		if sp.Kind == "SERVER" && sp.ParentSpanID != client.SpanID().String() {
			t.Errorf("SERVER span %q has parent %s, want kubelet's client span %s", sp.Name, sp.ParentSpanID, client.SpanID())
		}
	}
	return got
}

// clientSpan returns kubelet's last client span named name.
func clientSpan(t *testing.T, spans []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	for i := len(spans) - 1; i >= 0; i-- {
		if spans[i].Name() == name {
			return spans[i]
		}
	}
	t.Fatalf("kubelet made no client span %q; it made %d span(s)", name, len(spans))
	return nil
}

func names(spans []otlpreceiver.Span) string {
	out := make([]string, 0, len(spans))
	for _, s := range spans {
		out = append(out, s.Kind+" "+s.Name)
	}
	return strings.Join(out, ", ")
}
