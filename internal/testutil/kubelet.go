package testutil

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	internalapi "k8s.io/cri-api/pkg/apis"
	cri "k8s.io/cri-client/pkg"
	"k8s.io/klog/v2"
	"k8s.io/klog/v2/ktesting"
)

// Kubelet is kubelet's pair of CRI clients, built by kubelet's own client
// library (k8s.io/cri-client), so a test plays kubelet with the code kubelet
// runs.
type Kubelet struct {
	Runtime internalapi.RuntimeService
	Image   internalapi.ImageManagerService
}

// KubeletOptions say how NewKubelet builds the clients.
type KubeletOptions struct {
	// TracerProvider traces the calls as kubelet does, each a CLIENT span
	// whose context goes out as traceparent. Nil: no client handler at
	// all, so the calls carry no trace context.
	TracerProvider trace.TracerProvider
	// Streaming sends the list calls as their Stream* RPCs, as kubelet does
	// with its streaming gate on.
	Streaming bool
	// ConnectTimeout bounds each call's wait for the connection. Zero: 10 s.
	ConnectTimeout time.Duration
}

// NewKubelet builds kubelet's runtime and image clients for endpoint
// ("unix:///path"). ctx should carry a klog logger (KlogContext), where the
// clients log. Both close when tb ends; a failing close fails tb.
func NewKubelet(ctx context.Context, tb testing.TB, endpoint string, o KubeletOptions) Kubelet {
	tb.Helper()
	timeout := o.ConnectTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	rt, err := cri.NewRemoteRuntimeServiceBuilder().WithEndpoint(endpoint).WithConnectionTimeout(timeout).
		WithTracerProvider(o.TracerProvider).WithUseStreaming(o.Streaming).Build(ctx)
	if err != nil {
		tb.Fatalf("kubelet's runtime client for %s: %v", endpoint, err)
	}
	tb.Cleanup(func() { closeKubeletClient(tb, rt.Close) })
	img, err := cri.NewRemoteImageServiceBuilder().WithEndpoint(endpoint).WithConnectionTimeout(timeout).
		WithTracerProvider(o.TracerProvider).WithUseStreaming(o.Streaming).Build(ctx)
	if err != nil {
		tb.Fatalf("kubelet's image client for %s: %v", endpoint, err)
	}
	tb.Cleanup(func() { closeKubeletClient(tb, img.Close) })
	return Kubelet{Runtime: rt, Image: img}
}

func closeKubeletClient(tb testing.TB, closeFn func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := closeFn(ctx); err != nil {
		tb.Errorf("closing kubelet's CRI client: %v", err)
	}
}

// KlogContext returns tb's context with a klog logger writing to tb.Log at
// verbosity v, which is where kubelet's CRI client logs.
func KlogContext(tb testing.TB, v int) context.Context {
	return klog.NewContext(tb.Context(), ktesting.NewLogger(tb, ktesting.NewConfig(ktesting.Verbosity(v))))
}

// KubeletProvider returns a tracer provider like kubelet's in a traced
// syncPod: service.name "kubelet", every span sampled, exported over
// OTLP/gRPC in plaintext to collector ("host:port") in batches at most
// 200 ms apart. It shuts down, flushing, when tb ends.
func KubeletProvider(ctx context.Context, tb testing.TB, collector string) *sdktrace.TracerProvider {
	tb.Helper()
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(collector), otlptracegrpc.WithInsecure())
	if err != nil {
		tb.Fatalf("kubelet's OTLP exporter: %v", err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(200*time.Millisecond)),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "kubelet"))),
	)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			tb.Errorf("shutting kubelet's tracer provider down: %v", err)
		}
	})
	return tp
}
