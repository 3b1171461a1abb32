package forward

import (
	"context"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	internalapi "k8s.io/cri-api/pkg/apis"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
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
	ctx := testutil.KlogContext(t, 5)
	tp := testutil.KubeletProvider(ctx, t, collector)
	c := testutil.NewKubelet(ctx, t, endpoint, testutil.KubeletOptions{TracerProvider: tp, ConnectTimeout: 2 * time.Minute})
	return &kubelet{tp: tp, rt: c.Runtime, img: c.Image, ctx: ctx}
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
