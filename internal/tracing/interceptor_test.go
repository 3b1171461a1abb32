package tracing

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// healthFunc is a health service whose Check is fn.
type healthFunc struct {
	healthpb.UnimplementedHealthServer
	fn func(context.Context, *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error)
}

func (h healthFunc) Check(ctx context.Context, r *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	return h.fn(ctx, r)
}

// TestInterceptor serves a real gRPC server with otelgrpc's handler and the
// kit's Interceptor, and checks per outcome: the code the client gets, the
// server span's status (Error only for server faults), the log record's
// level and content, and that a panic's arbitrary value is never logged.
func TestInterceptor(t *testing.T) {
	tests := []struct {
		name       string
		fn         func(context.Context, *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error)
		wantCode   codes.Code
		wantStatus otelcodes.Code
		wantLevel  string
		wantLog    []string
	}{
		{name: "success", wantCode: codes.OK, wantStatus: otelcodes.Unset, wantLevel: "DEBUG", wantLog: []string{"service=payments", "code=OK"},
			fn: func(context.Context, *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
				return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}, nil
			}},
		{name: "client mistake stays unset", wantCode: codes.NotFound, wantStatus: otelcodes.Unset, wantLevel: "DEBUG", wantLog: []string{"code=NotFound", "error=\"no such service\""},
			fn: func(context.Context, *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
				return nil, status.Error(codes.NotFound, "no such service")
			}},
		{name: "plain error is Unknown and an error", wantCode: codes.Unknown, wantStatus: otelcodes.Error, wantLevel: "ERROR", wantLog: []string{"code=Unknown", "disk full"},
			fn: func(context.Context, *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
				return nil, fmt.Errorf("checking: %w", errors.New("disk full"))
			}},
		{name: "panic is Internal, value not logged", wantCode: codes.Internal, wantStatus: otelcodes.Error, wantLevel: "ERROR", wantLog: []string{"recovered from a panic", "panic_type=string", "code=Internal"},
			fn: func(context.Context, *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
				panic("planted-secret-value")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, rec := recorderProvider()
			logger, logs := newLogger()
			ic := Interceptor{
				Logger:  logger,
				Message: "health call",
				RequestAttrs: func(req any) []attribute.KeyValue {
					return []attribute.KeyValue{attribute.String("service", req.(*healthpb.HealthCheckRequest).GetService())}
				},
			}
			srv := grpc.NewServer(append(ic.ServerOptions(), grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithTracerProvider(tp))))...)
			healthpb.RegisterHealthServer(srv, healthFunc{fn: tt.fn})
			sock := filepath.Join(t.TempDir(), "s.sock")
			lis, err := net.Listen("unix", sock)
			if err != nil {
				t.Fatal(err)
			}
			go func() { _ = srv.Serve(lis) }()
			t.Cleanup(srv.Stop)
			conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = conn.Close() })

			_, err = healthpb.NewHealthClient(conn).Check(t.Context(), &healthpb.HealthCheckRequest{Service: "payments"})
			if status.Code(err) != tt.wantCode {
				t.Fatalf("client got %v, want %s", err, tt.wantCode)
			}
			// otelgrpc ends the server span after the response is sent.
			eventually(t, "the server span to end", func() bool { return len(rec.Ended()) == 1 })
			if got := rec.Ended()[0].Status().Code; got != tt.wantStatus {
				t.Fatalf("server span status %v, want %v", got, tt.wantStatus)
			}
			out := logs.String()
			if !strings.Contains(out, "level="+tt.wantLevel) {
				t.Errorf("no %s record:\n%s", tt.wantLevel, out)
			}
			for _, want := range tt.wantLog {
				if !strings.Contains(out, want) {
					t.Errorf("log lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "planted-secret-value") {
				t.Errorf("a panic value reached the log:\n%s", out)
			}
		})
	}
}

func TestToStatusError(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		wantCode codes.Code
		wantMsg  string
	}{
		{"nil stays nil", nil, codes.OK, ""},
		{"status passes through", status.Error(codes.NotFound, "gone"), codes.NotFound, "gone"},
		{"wrapped status keeps the whole message", fmt.Errorf("removing %q: %w", "c", status.Error(codes.NotFound, "gone")), codes.NotFound, `removing "c": rpc error: code = NotFound desc = gone`},
		{"canceled", fmt.Errorf("pulling: %w", context.Canceled), codes.Canceled, "pulling: context canceled"},
		{"deadline", context.DeadlineExceeded, codes.DeadlineExceeded, "context deadline exceeded"},
		{"plain error is unknown", errors.New("boom"), codes.Unknown, "boom"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ToStatusError(tc.err)
			if (got == nil) != (tc.err == nil) {
				t.Fatalf("ToStatusError(%v) = %v", tc.err, got)
			}
			st, ok := status.FromError(got)
			if !ok || st.Code() != tc.wantCode || st.Message() != tc.wantMsg {
				t.Fatalf("ToStatusError(%v) = %v (status %t), want %s %q", tc.err, got, ok, tc.wantCode, tc.wantMsg)
			}
		})
	}
}
