package tracing

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func recorderProvider() (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	rec := tracetest.NewSpanRecorder()
	return sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)), rec
}

func TestStartFollowsTheParentsProvider(t *testing.T) {
	tp, rec := recorderProvider()
	ctx, parent := tp.Tracer("rpc").Start(context.Background(), "runtime.v1.RuntimeService/RunPodSandbox")
	tracer := NewTracer("example.com/component/store")
	_, child := tracer.Start(ctx, "crio.sandbox.network", attribute.String("k", "v"))
	child.End()
	parent.End()
	ended := rec.Ended()
	if len(ended) != 2 || ended[0].Name() != "crio.sandbox.network" {
		t.Fatalf("ended spans %v", ended)
	}
	if ended[0].Parent().SpanID() != parent.SpanContext().SpanID() || ended[0].InstrumentationScope().Name != tracer.Scope() {
		t.Fatalf("inner span parent %v scope %q", ended[0].Parent().SpanID(), ended[0].InstrumentationScope().Name)
	}

	// Without a recording parent, Start starts nothing.
	bare, span := tracer.Start(context.Background(), "crio.sandbox.network")
	if span.IsRecording() || bare != context.Background() {
		t.Fatal("Start recorded a span without a recording parent")
	}
}

func TestRecordErrors(t *testing.T) {
	tests := []struct {
		name       string
		record     func(trace.Span, error)
		err        error
		wantStatus otelcodes.Code
		wantCode   int64
	}{
		{name: "rpc NotFound stays unset", record: RecordRPCError, err: status.Error(codes.NotFound, "no such pod"), wantStatus: otelcodes.Unset, wantCode: 5},
		{name: "rpc Internal is an error", record: RecordRPCError, err: status.Error(codes.Internal, "boom"), wantStatus: otelcodes.Error, wantCode: 13},
		{name: "inner FailedPrecondition is an error", record: RecordError, err: status.Error(codes.FailedPrecondition, "exited"), wantStatus: otelcodes.Error, wantCode: 9},
		{name: "plain Go error is Unknown", record: RecordError, err: errors.New("disk full"), wantStatus: otelcodes.Error, wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, rec := recorderProvider()
			_, span := tp.Tracer("t").Start(context.Background(), "s")
			tt.record(span, tt.err)
			span.End()
			s := rec.Ended()[0]
			if s.Status().Code != tt.wantStatus {
				t.Errorf("status %v, want %v", s.Status().Code, tt.wantStatus)
			}
			var code int64 = -1
			for _, a := range s.Attributes() {
				if a.Key == AttrGRPCStatusCode {
					code = a.Value.AsInt64()
				}
			}
			if code != tt.wantCode {
				t.Errorf("rpc.grpc.status_code = %d, want %d", code, tt.wantCode)
			}
			if len(s.Events()) != 1 || s.Events()[0].Name != "exception" {
				t.Errorf("events %v, want one exception", s.Events())
			}
		})
	}
	// nil error: untouched.
	tp, rec := recorderProvider()
	_, span := tp.Tracer("t").Start(context.Background(), "ok")
	RecordRPCError(span, nil)
	RecordError(span, nil)
	span.End()
	if s := rec.Ended()[0]; s.Status().Code != otelcodes.Unset || len(s.Attributes()) != 0 || len(s.Events()) != 0 {
		t.Fatalf("nil error changed the span: %v %v %v", s.Status(), s.Attributes(), s.Events())
	}
}

func TestAllowList(t *testing.T) {
	tp, rec := recorderProvider()
	ctx, span := tp.Tracer("t").Start(context.Background(), "s")
	al := NewAllowList("k8s.pod.name", "container.id")
	al.Set(ctx, attribute.String("k8s.pod.name", "web"), attribute.String("password", "hunter2"),
		attribute.String("container.id", ""), attribute.String("env.SECRET", "x"))
	span.End()
	attrs := rec.Ended()[0].Attributes()
	if len(attrs) != 1 || attrs[0].Key != "k8s.pod.name" {
		t.Fatalf("attributes %v, want only k8s.pod.name", attrs)
	}
	var none *AllowList
	if none.Allows("k8s.pod.name") {
		t.Fatal("a nil AllowList allowed a key")
	}
}

func TestLogHandlerAddsTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(NewLogHandler(slog.NewTextHandler(&buf, nil))).With("component", "test")
	tp, _ := recorderProvider()
	ctx, span := tp.Tracer("t").Start(context.Background(), "s")
	logger.InfoContext(ctx, "inside")
	logger.Info("outside")
	span.End()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines: %q", lines)
	}
	want := "trace_id=" + span.SpanContext().TraceID().String() + " span_id=" + span.SpanContext().SpanID().String()
	if !strings.Contains(lines[0], want) || !strings.Contains(lines[0], "component=test") {
		t.Errorf("line with span %q lacks %q", lines[0], want)
	}
	if strings.Contains(lines[1], "trace_id") {
		t.Errorf("line without span has a trace id: %q", lines[1])
	}
}
