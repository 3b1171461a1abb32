package server

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/internal/tracing"
)

// TestEveryMethodDelegates calls each of the 43 CRI methods through a real
// gRPC server whose backend fails every method with an error of its own, and
// checks that the caller gets that very error (so the Server delegated to
// the right backend method, not to an Unimplemented stub), and that the call
// made exactly one SERVER span, named after the method, child of the
// client's span, with the status code recorded.
func TestEveryMethodDelegates(t *testing.T) {
	h := newHarness(t, &fakeBackend{fail: true})
	cases := allRPCs()

	t.Run("covers the whole API", func(t *testing.T) {
		var api, table []string
		for _, sd := range []grpc.ServiceDesc{runtimeapi.RuntimeService_ServiceDesc, runtimeapi.ImageService_ServiceDesc} {
			for _, m := range sd.Methods {
				api = append(api, sd.ServiceName+"/"+m.MethodName)
			}
			for _, st := range sd.Streams {
				api = append(api, sd.ServiceName+"/"+st.StreamName)
			}
		}
		for _, tc := range cases {
			table = append(table, tc.fullName())
		}
		slices.Sort(api)
		slices.Sort(table)
		if len(api) != 43 || !slices.Equal(api, table) {
			t.Fatalf("API has %d methods %v,\ntable has %d %v", len(api), api, len(table), table)
		}
	})

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(t.Context(), h)
			want := backendError(tc.name)
			if status.Code(err) != status.Code(want) || status.Convert(err).Message() != status.Convert(want).Message() {
				t.Fatalf("%s error = %v, want %v", tc.name, err, want)
			}
			if !slices.Contains(h.backend.called(), tc.name) {
				t.Fatalf("backend %s was not called; calls: %v", tc.name, h.backend.called())
			}

			span := h.serverSpans(t, tc.fullName(), 1)[0]
			if !span.Parent().IsValid() || !span.Parent().IsRemote() {
				t.Errorf("server span parent = %v, want the client's span", span.Parent())
			}
			var client sdktrace.ReadOnlySpan
			testutil.Eventually(5*time.Second, func() bool {
				client = findSpan(h, trace.SpanKindClient, tc.fullName())
				return client != nil
			})
			if client == nil || client.SpanContext().SpanID() != span.Parent().SpanID() {
				t.Errorf("server span is not the child of the client span %q", tc.fullName())
			}
			code := strconv.Itoa(int(codes.FailedPrecondition))
			if got := attrs(span)[tracing.AttrGRPCStatusCode]; got != code {
				t.Errorf("%s = %q, want %q", tracing.AttrGRPCStatusCode, got, code)
			}
		})
	}

	t.Run("no other spans", func(t *testing.T) {
		var server int
		for _, s := range h.rec.Ended() {
			if s.SpanKind() == trace.SpanKindServer {
				server++
			}
		}
		if server != len(cases) {
			t.Fatalf("SERVER spans = %d, want one per call (%d)", server, len(cases))
		}
		if n := len(h.rec.Ended()); n != 2*len(cases) {
			t.Fatalf("spans = %d, want a CLIENT and a SERVER span per call (%d)", n, 2*len(cases))
		}
	})
}

func findSpan(h *harness, kind trace.SpanKind, name string) sdktrace.ReadOnlySpan {
	for _, s := range h.rec.Ended() {
		if s.SpanKind() == kind && s.Name() == name {
			return s
		}
	}
	return nil
}

// TestStreamsPassThrough has the backend send on the very stream the client
// opened, for the long-lived GetContainerEvents and a Stream* list call, and
// checks the client receives every message in order.
func TestStreamsPassThrough(t *testing.T) {
	events := []string{"ctr-1", "ctr-2", "ctr-3"}
	backend := &fakeBackend{hooks: map[string]func(context.Context, any) (any, error){
		"GetContainerEvents": func(_ context.Context, st any) (any, error) {
			for _, id := range events {
				if err := st.(grpc.ServerStreamingServer[runtimeapi.ContainerEventResponse]).Send(
					&runtimeapi.ContainerEventResponse{ContainerId: id}); err != nil {
					return nil, err
				}
			}
			return nil, nil
		},
		"StreamContainers": func(_ context.Context, st any) (any, error) {
			for _, id := range events {
				if err := st.(grpc.ServerStreamingServer[runtimeapi.StreamContainersResponse]).Send(
					&runtimeapi.StreamContainersResponse{Containers: []*runtimeapi.Container{{Id: id}}}); err != nil {
					return nil, err
				}
			}
			return nil, nil
		},
	}}
	h := newHarness(t, backend)
	cases := []struct {
		name string
		recv func(ctx context.Context) ([]string, error)
	}{
		{"GetContainerEvents", func(ctx context.Context) ([]string, error) {
			st, err := h.rt.GetContainerEvents(ctx, &runtimeapi.GetEventsRequest{})
			return collect(st, err, (*runtimeapi.ContainerEventResponse).GetContainerId)
		}},
		{"StreamContainers", func(ctx context.Context) ([]string, error) {
			st, err := h.rt.StreamContainers(ctx, &runtimeapi.StreamContainersRequest{})
			return collect(st, err, func(r *runtimeapi.StreamContainersResponse) string {
				return r.GetContainers()[0].GetId()
			})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.recv(t.Context())
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !slices.Equal(got, events) {
				t.Fatalf("received %v, want %v", got, events)
			}
			h.serverSpans(t, runtimeService+"/"+tc.name, 1)
		})
	}
}

// collect receives a whole stream and maps each message to a string.
func collect[T any](st grpc.ServerStreamingClient[T], err error, key func(*T) string) ([]string, error) {
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		msg, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, key(msg))
	}
}
