package embedded

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestInnerSpans checks that each step starts its inner span as a child of
// the span in the context (standing in for the RPC's server span), and that
// failures are recorded on it.
func TestInnerSpans(t *testing.T) {
	tests := []struct {
		name      string
		run       func(ctx context.Context, r *Runtime) error
		wantSpans []string
		wantError string // span whose status must be Error
	}{
		{
			name: "pull",
			run: func(ctx context.Context, r *Runtime) error {
				_, err := r.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}})
				return err
			},
			wantSpans: []string{SpanImagePull},
		},
		{
			name: "cancelled pull",
			run: func(ctx context.Context, r *Runtime) error {
				r.pullLatency = time.Hour
				ctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
				defer cancel()
				_, _ = r.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}})
				return nil
			},
			wantSpans: []string{SpanImagePull},
			wantError: SpanImagePull,
		},
		{
			name: "run sandbox",
			run: func(ctx context.Context, r *Runtime) error {
				_, err := r.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: podConfig("web")})
				return err
			},
			wantSpans: []string{SpanSandboxNetwork, SpanSandboxInfra},
		},
		{
			name: "start and stop",
			run: func(ctx context.Context, r *Runtime) error {
				_, id := runningContainer(t.Context(), t, r, "web")
				_, err := r.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: id})
				return err
			},
			wantSpans: []string{SpanContainerStop},
		},
		{
			name: "failing start",
			run: func(ctx context.Context, r *Runtime) error {
				bg := t.Context()
				mustPull(bg, t, r, "busybox")
				id := mustCreate(bg, t, r, mustRunPod(bg, t, r, podConfig("web")), containerConfig("c", "busybox", FailingCommand))
				_, _ = r.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: id})
				return nil
			},
			wantSpans: []string{SpanContainerStart},
			wantError: SpanContainerStart,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Guideline step 10: tests use the real SDK and check parent links (enhancements/distributed-tracing-with-opentelemetry.md).
			// guideline:begin test-inner-spans
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			defer func() { _ = tp.Shutdown(context.WithoutCancel(t.Context())) }()
			ctx, parent := tp.Tracer("test").Start(t.Context(), "rpc")
			r := newTestRuntime(t)
			if err := tt.run(ctx, r); err != nil {
				t.Fatal(err)
			}
			parent.End()
			// guideline:end test-inner-spans

			var names []string
			for _, s := range rec.Ended() {
				if s.Name() == "rpc" {
					continue
				}
				names = append(names, s.Name())
				if s.Parent().SpanID() != parent.SpanContext().SpanID() {
					t.Errorf("span %q is not a child of the RPC span", s.Name())
				}
				if failed := s.Status().Code == codes.Error; failed != (s.Name() == tt.wantError) {
					t.Errorf("span %q status = %v, want error: %v", s.Name(), s.Status(), s.Name() == tt.wantError)
				}
			}
			if !slices.Equal(names, tt.wantSpans) {
				t.Errorf("inner spans = %q, want %q", names, tt.wantSpans)
			}
		})
	}
}
