package daemon_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// markerImage is pulled by a root call (no kubelet parent) after the calls
// under test: the default rules always sample a root PullImage, and a span
// of an earlier call would have been queued, and exported, before it. Once
// the marker's span has arrived, a span that is missing stays missing.
const markerImage = "docker.io/library/marker:1"

// TestSampling checks the daemon's parent-based sampling with the default
// rules: kubelet's decision wins for calls it traces, the rules and
// the rate decide root calls.
func TestSampling(t *testing.T) {
	tests := []struct {
		name string
		// sampler of kubelet's provider; nil: kubelet sends no traceparent.
		sampler sdktrace.Sampler
		// method called under kubelet's parent span (or as a root).
		method string
		// rate is tracing_sampling_rate_per_million.
		rate int
		// wantSpan: the daemon records a server span for that call.
		wantSpan bool
	}{
		{name: "root ListContainers is dropped by the default rules", method: "ListContainers", wantSpan: false},
		{name: "root RunPodSandbox is dropped at rate 0", method: "RunPodSandbox", wantSpan: false},
		{name: "root RunPodSandbox is kept at rate 1000000", method: "RunPodSandbox", rate: 1_000_000, wantSpan: true},
		{name: "root ListContainers is dropped by a never rule at rate 1000000", method: "ListContainers", rate: 1_000_000, wantSpan: false},
		{name: "root PullImage is kept by the default rules", method: "PullImage", wantSpan: true},
		{name: "sampled kubelet parent wins over rate 0", sampler: sdktrace.AlwaysSample(), method: "ListContainers", wantSpan: true},
		{name: "sampled kubelet parent wins over a never rule", sampler: sdktrace.AlwaysSample(), method: "ImageFsInfo", wantSpan: true},
		{name: "unsampled kubelet parent wins over rate 0", sampler: sdktrace.NeverSample(), method: "ListContainers", wantSpan: false},
		{name: "unsampled kubelet parent wins over an always rule", sampler: sdktrace.NeverSample(), method: "PullImage", wantSpan: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := startReceiver(t)
			sock := socketPath(t)
			startDaemon(t, sock, "--config", writeConfig(t, tracingConfig(true, recv.Addr(), "tracing_sampling_rate_per_million = "+strconv.Itoa(tt.rate))))
			ctx := klogContext(t)

			var tp trace.TracerProvider // nil: no traceparent at all
			var rec *tracetest.SpanRecorder
			if tt.sampler != nil {
				sdk, r := newKubeletProvider(t, tt.sampler, "")
				tp, rec = sdk, r
			}
			k := newKubelet(ctx, t, sock, tp)
			callCtx := ctx
			var parent trace.Span
			if tp != nil {
				callCtx, parent = tp.Tracer("kubelet").Start(ctx, "syncPod")
			}
			if err := callMethod(callCtx, k, tt.method); err != nil {
				t.Fatalf("%s: %v", tt.method, err)
			}
			if parent != nil {
				parent.End()
			}

			root := newKubelet(ctx, t, sock, nil)
			if _, err := root.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: markerImage}, nil, nil); err != nil {
				t.Fatalf("marker PullImage: %v", err)
			}
			wctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			spans, err := recv.WaitFor(wctx, func(s []otlpreceiver.Span) bool {
				return hasMarker(s)
			})
			if err != nil {
				t.Fatalf("marker span never arrived: %v; got %q", err, spanNames(spans))
			}

			candidates := otlpreceiver.ByName(serverSpans(spans), methodSpanName(tt.method))
			if parent != nil {
				// Building the clients made root calls of their own
				// (Version, ImageFsInfo), which kubelet's sampler decided.
				candidates = otlpreceiver.Trace(candidates, parent.SpanContext().TraceID().String())
			}
			var got []otlpreceiver.Span
			for _, s := range candidates {
				if tt.method == "PullImage" && s.Attributes["container.image.name"] == markerImage {
					continue
				}
				got = append(got, s)
			}
			if tt.wantSpan != (len(got) > 0) {
				t.Fatalf("server spans for %s = %d, want a span: %t; all spans: %q", tt.method, len(got), tt.wantSpan, spanNames(spans))
			}
			if len(got) > 1 {
				t.Errorf("server spans for one %s call = %d, want 1", tt.method, len(got))
			}
			if tt.wantSpan && parent != nil {
				checkParent(t, got[0], parent, rec.Ended())
			}
		})
	}
}

// hasMarker reports whether the marker pull's server span is in spans.
func hasMarker(spans []otlpreceiver.Span) bool {
	for _, s := range otlpreceiver.ByName(serverSpans(spans), imageRPC("PullImage")) {
		if s.Attributes["container.image.name"] == markerImage {
			return true
		}
	}
	return false
}

// checkParent checks that server span s is in parent's trace, the child of
// kubelet's client span for the same method.
func checkParent(t *testing.T, s otlpreceiver.Span, parent trace.Span, ended []sdktrace.ReadOnlySpan) {
	t.Helper()
	if s.TraceID != parent.SpanContext().TraceID().String() {
		t.Errorf("server span trace = %s, want kubelet's %s", s.TraceID, parent.SpanContext().TraceID())
	}
	for _, c := range ended {
		if c.SpanKind() == trace.SpanKindClient && c.Name() == s.Name && c.SpanContext().SpanID().String() == s.ParentSpanID {
			return
		}
	}
	t.Errorf("server span %s has parent %s, which is not kubelet's client span for it", s.Name, s.ParentSpanID)
}

// methodSpanName returns the span name of a method the sampling test calls.
func methodSpanName(method string) string {
	switch method {
	case "PullImage", "ImageFsInfo":
		return imageRPC(method)
	}
	return runtimeRPC(method)
}

// callMethod makes one call of method through kubelet's clients.
func callMethod(ctx context.Context, k *kubelet, method string) error {
	var err error
	switch method {
	case "ListContainers":
		_, err = k.rt.ListContainers(ctx, nil)
	case "RunPodSandbox":
		_, err = k.rt.RunPodSandbox(ctx, testPod(), "")
	case "PullImage":
		_, err = k.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: testImage}, nil, nil)
	case "ImageFsInfo":
		_, err = k.img.ImageFsInfo(ctx)
	default:
		err = fmt.Errorf("callMethod: no call for %q", method)
	}
	return err
}
