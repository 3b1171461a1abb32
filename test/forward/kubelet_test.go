package forward

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	internalapi "k8s.io/cri-api/pkg/apis"
	cri "k8s.io/cri-client/pkg"
	"k8s.io/klog/v2"
	"k8s.io/klog/v2/ktesting"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// kubelet plays kubelet: its tracer provider (service.name kubelet,
// exporting to the test's receiver) and kubelet's CRI clients built with
// it, so every CRI call is a CLIENT span carrying traceparent.
type kubelet struct {
	tp  *sdktrace.TracerProvider
	rt  internalapi.RuntimeService
	img internalapi.ImageManagerService
	ctx context.Context // holds the klog logger cri-client logs through
}

// startReceiver starts an in-process OTLP receiver stopped when t ends.
func startReceiver(t *testing.T) *otlpreceiver.Receiver {
	t.Helper()
	r, err := otlpreceiver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("starting the OTLP receiver: %v", err)
	}
	t.Cleanup(r.Stop)
	return r
}

// newKubelet connects kubelet's CRI clients to endpoint, tracing into the
// receiver at collector. Everything is closed and flushed when t ends.
func newKubelet(t *testing.T, endpoint, collector string) *kubelet {
	t.Helper()
	ctx := klog.NewContext(t.Context(), ktesting.NewLogger(t, ktesting.NewConfig()))
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(collector), otlptracegrpc.WithInsecure())
	if err != nil {
		t.Fatalf("kubelet's OTLP exporter: %v", err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(200*time.Millisecond)),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "kubelet"))),
	)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			t.Errorf("shutting kubelet's tracer provider down: %v", err)
		}
	})
	k := &kubelet{tp: tp, ctx: ctx}
	k.rt, err = cri.NewRemoteRuntimeServiceBuilder().WithEndpoint(endpoint).
		WithConnectionTimeout(2 * time.Minute).WithTracerProvider(tp).Build(ctx)
	if err != nil {
		t.Fatalf("kubelet's runtime client for %s: %v", endpoint, err)
	}
	t.Cleanup(func() { closeClient(t, k.rt.Close) })
	k.img, err = cri.NewRemoteImageServiceBuilder().WithEndpoint(endpoint).
		WithConnectionTimeout(2 * time.Minute).WithTracerProvider(tp).Build(ctx)
	if err != nil {
		t.Fatalf("kubelet's image client for %s: %v", endpoint, err)
	}
	t.Cleanup(func() { closeClient(t, k.img.Close) })
	return k
}

// flush sends kubelet's finished spans to the receiver.
func (k *kubelet) flush(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(k.ctx), 10*time.Second)
	defer cancel()
	if err := k.tp.ForceFlush(ctx); err != nil {
		t.Fatalf("flushing kubelet's spans: %v", err)
	}
}

func closeClient(t *testing.T, closeFn func(context.Context) error) {
	if err := closeFn(context.WithoutCancel(t.Context())); err != nil {
		t.Errorf("closing kubelet's CRI client: %v", err)
	}
}
