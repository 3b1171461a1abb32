package daemon_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	internalapi "k8s.io/cri-api/pkg/apis"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// kubeletService is the service.name of the spans the test's kubelet makes.
const kubeletService = "kubelet"

// kubelet holds kubelet's two CRI clients, as kubelet builds them.
type kubelet struct {
	rt  internalapi.RuntimeService
	img internalapi.ImageManagerService
}

// klogContext returns t's context with a klog logger writing to t.Log, where
// kubelet's CRI client logs.
func klogContext(t *testing.T) context.Context { return testutil.KlogContext(t, 5) }

// newKubelet builds kubelet's runtime and image clients for the daemon on
// sock with tp. A nil tp opts out of the otelgrpc client handler, so the
// calls carry no traceparent at all; a provider that does not sample still
// propagates its (unsampled) context. The clients close when t ends.
func newKubelet(ctx context.Context, t *testing.T, sock string, tp trace.TracerProvider) *kubelet {
	t.Helper()
	c := testutil.NewKubelet(ctx, t, "unix://"+sock, testutil.KubeletOptions{TracerProvider: tp})
	return &kubelet{rt: c.Runtime, img: c.Image}
}

// newKubeletProvider returns kubelet's tracer provider: service.name
// kubelet, sampler as given, every ended span kept in the returned recorder
// and, when exportTo is not empty, exported over OTLP/gRPC to that address
// as kubelet does. It is shut down when t ends; call shutdown earlier to
// flush before asserting on a receiver.
func newKubeletProvider(t *testing.T, sampler sdktrace.Sampler, exportTo string) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithSampler(sampler),
		sdktrace.WithSpanProcessor(rec),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(kubeletService))),
	}
	if exportTo != "" {
		exp, err := otlptracegrpc.New(t.Context(), otlptracegrpc.WithEndpoint(exportTo), otlptracegrpc.WithInsecure())
		if err != nil {
			t.Fatalf("kubelet's OTLP exporter: %v", err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	t.Cleanup(func() { shutdown(t, tp) })
	return tp, rec
}

// shutdown flushes and stops tp; calling it twice is harmless.
func shutdown(t *testing.T, tp *sdktrace.TracerProvider) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tp.Shutdown(ctx); err != nil {
		t.Errorf("shutting down kubelet's tracer provider: %v", err)
	}
}

// startReceiver starts an OTLP receiver on a free loopback port, stopped
// when t ends.
func startReceiver(t *testing.T) *otlpreceiver.Receiver {
	t.Helper()
	return startReceiverAt(t, "127.0.0.1:0")
}

// startReceiverAt starts an OTLP receiver on addr, stopped when t ends.
func startReceiverAt(t *testing.T, addr string) *otlpreceiver.Receiver {
	t.Helper()
	r, err := otlpreceiver.Start(addr)
	if err != nil {
		t.Fatalf("starting OTLP receiver: %v", err)
	}
	t.Cleanup(r.Stop)
	return r
}
