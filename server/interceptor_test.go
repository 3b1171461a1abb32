package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	otelcodes "go.opentelemetry.io/otel/codes"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/internal/tracing"
)

// TestErrorsOnTheSpan checks how a backend error lands on the RPC's server
// span: the code always as rpc.grpc.status_code with an exception event, the
// span status Error only for codes that mean the server failed.
func TestErrorsOnTheSpan(t *testing.T) {
	cases := []struct {
		name       string
		err        error
		wantCode   codes.Code
		wantStatus otelcodes.Code
	}{
		{"not found stays unset", status.Error(codes.NotFound, "no such container"), codes.NotFound, otelcodes.Unset},
		{"internal is an error", status.Error(codes.Internal, "runtime broke"), codes.Internal, otelcodes.Error},
		{"plain error becomes unknown", errors.New("disk on fire"), codes.Unknown, otelcodes.Error},
		{"wrapped status keeps its code", fmt.Errorf("stopping %q: %w", "c1", status.Error(codes.Unavailable, "down")), codes.Unavailable, otelcodes.Error},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, &fakeBackend{hooks: map[string]func(context.Context, any) (any, error){
				"StopContainer": func(context.Context, any) (any, error) { return nil, tc.err },
			}})
			_, err := h.rt.StopContainer(t.Context(), &runtimeapi.StopContainerRequest{ContainerId: "c1"})
			if status.Code(err) != tc.wantCode {
				t.Fatalf("error = %v, want code %s", err, tc.wantCode)
			}
			span := h.serverSpans(t, runtimeService+"/StopContainer", 1)[0]
			if got, want := attrs(span)[tracing.AttrGRPCStatusCode], strconv.Itoa(int(tc.wantCode)); got != want {
				t.Errorf("%s = %q, want %q", tracing.AttrGRPCStatusCode, got, want)
			}
			if span.Status().Code != tc.wantStatus {
				t.Errorf("span status = %v, want %v", span.Status().Code, tc.wantStatus)
			}
			var exception bool
			for _, ev := range span.Events() {
				exception = exception || ev.Name == "exception"
			}
			if !exception {
				t.Errorf("no exception event on the span; events: %v", span.Events())
			}
		})
	}
}

// TestPanicBecomesInternal makes the backend panic in a unary and a
// streaming call and checks the client gets Internal, the daemon keeps
// serving, the panic is logged at error level with its stack, and a panic
// value that is not a runtime error is not logged.
func TestPanicBecomesInternal(t *testing.T) {
	var nilMap map[string]int
	cases := []struct {
		name     string
		method   string
		panicker func()
		call     func(context.Context, *harness) error
		wantLog  string
	}{
		{
			name: "unary with an arbitrary value", method: "Version",
			panicker: func() { panic("planted-panic-value") },
			call: func(ctx context.Context, h *harness) error {
				return ignore(h.rt.Version(ctx, &runtimeapi.VersionRequest{}))
			},
			wantLog: `"panic_type":"string"`,
		},
		{
			name: "unary with a runtime error", method: "ListContainers",
			panicker: func() { nilMap["x"] = 1 },
			call: func(ctx context.Context, h *harness) error {
				return ignore(h.rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{}))
			},
			wantLog: "assignment to entry in nil map",
		},
		{
			name: "stream", method: "GetContainerEvents",
			panicker: func() { panic("planted-panic-value") },
			call: func(ctx context.Context, h *harness) error {
				return drain(h.rt.GetContainerEvents(ctx, &runtimeapi.GetEventsRequest{}))
			},
			wantLog: `"panic_type":"string"`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, &fakeBackend{hooks: map[string]func(context.Context, any) (any, error){
				tc.method: func(context.Context, any) (any, error) { tc.panicker(); return nil, nil },
			}})
			err := tc.call(t.Context(), h)
			if status.Code(err) != codes.Internal {
				t.Fatalf("%s after a panic: %v, want Internal", tc.method, err)
			}
			if _, err := h.rt.Status(t.Context(), &runtimeapi.StatusRequest{}); err != nil {
				t.Fatalf("server stopped serving after a panic: %v", err)
			}
			span := h.serverSpans(t, runtimeService+"/"+tc.method, 1)[0]
			if span.Status().Code != otelcodes.Error {
				t.Errorf("span status = %v, want Error", span.Status().Code)
			}
			logs := h.logs.String()
			for _, want := range []string{`"level":"ERROR"`, "recovered from a panic", "goroutine ", tc.wantLog} {
				if !strings.Contains(logs, want) {
					t.Errorf("log lacks %q:\n%s", want, logs)
				}
			}
			if strings.Contains(logs, "planted-panic-value") {
				t.Errorf("the panic value was logged:\n%s", logs)
			}
		})
	}
}

// TestLogLevels checks which calls reach a logger set to info: only the ones
// that mean the server is broken.
func TestLogLevels(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		wantLog bool
	}{
		{"success is debug", nil, false},
		{"not found is debug", status.Error(codes.NotFound, "gone"), false},
		{"invalid argument is debug", status.Error(codes.InvalidArgument, "bad"), false},
		{"internal is error", status.Error(codes.Internal, "broke"), true},
		{"unknown is error", errors.New("broke"), true},
		{"data loss is error", status.Error(codes.DataLoss, "lost"), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf testutil.SyncBuffer
			s := New(&fakeBackend{}, Options{Logger: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))})
			seedContainer(s, "c1", "", "app", "")
			info := &grpc.UnaryServerInfo{FullMethod: runtimeService + "/StopContainer"}
			handler := func(context.Context, any) (any, error) { return nil, tc.err }
			_, err := s.unaryInterceptor(t.Context(), &runtimeapi.StopContainerRequest{ContainerId: "c1"}, info, handler)
			if status.Code(err) != status.Code(tracing.ToStatusError(tc.err)) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			logged := buf.String()
			if got := logged != ""; got != tc.wantLog {
				t.Fatalf("logged = %t, want %t:\n%s", got, tc.wantLog, logged)
			}
			if tc.wantLog {
				for _, want := range []string{`"level":"ERROR"`, `"method":"runtime.v1.RuntimeService/StopContainer"`, `"k8s.container.name":"app"`, `"container.id":"c1"`, `"code":"`} {
					if !strings.Contains(logged, want) {
						t.Errorf("log lacks %s:\n%s", want, logged)
					}
				}
			}
		})
	}
}
