package bench

import (
	"context"
	"fmt"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	internalapi "k8s.io/cri-api/pkg/apis"
	cri "k8s.io/cri-client/pkg"
	"k8s.io/klog/v2"
)

// kubelet is the client side of every benchmark: kubelet's own CRI client,
// with a tracer provider of its own, so each call carries a traceparent in
// its gRPC metadata exactly as kubelet's does.
type kubelet struct {
	rt  internalapi.RuntimeService
	img internalapi.ImageManagerService
	tp  *sdktrace.TracerProvider
}

// clientSampler returns the client's sampler: AlwaysSample sends a sampled
// parent (kubelet inside a traced syncPod), NeverSample a parent that is not
// sampled.
func clientSampler(sampled bool) sdktrace.Sampler {
	if sampled {
		return sdktrace.AlwaysSample()
	}
	return sdktrace.NeverSample()
}

// newKubelet connects kubelet's CRI client to endpoint ("unix:///path").
// The client's spans are recorded (so the sampled flag is honest) and go to
// the processors given, or nowhere: kubelet exports its own spans, which is
// not what is measured here.
func newKubelet(ctx context.Context, endpoint string, sampled bool, procs ...sdktrace.SpanProcessor) (*kubelet, error) {
	opts := []sdktrace.TracerProviderOption{sdktrace.WithSampler(clientSampler(sampled))}
	for _, p := range procs {
		opts = append(opts, sdktrace.WithSpanProcessor(p))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	ctx = quiet(ctx)
	rt, err := cri.NewRemoteRuntimeServiceBuilder().WithEndpoint(endpoint).
		WithConnectionTimeout(10 * time.Second).WithTracerProvider(tp).Build(ctx)
	if err != nil {
		return nil, fmt.Errorf("runtime client for %q: %w", endpoint, err)
	}
	img, err := cri.NewRemoteImageServiceBuilder().WithEndpoint(endpoint).
		WithConnectionTimeout(10 * time.Second).WithTracerProvider(tp).Build(ctx)
	if err != nil {
		_ = rt.Close(ctx)
		return nil, fmt.Errorf("image client for %q: %w", endpoint, err)
	}
	return &kubelet{rt: rt, img: img, tp: tp}, nil
}

// close releases both connections and the client's tracer provider.
func (k *kubelet) close(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	_ = k.rt.Close(ctx)
	_ = k.img.Close(ctx)
	_ = k.tp.Shutdown(ctx)
}

// traced returns ctx inside a span of the client's own, so a call made with
// it is a child of a kubelet-side operation (kubelet's syncPod), as in a
// node; the span ends with the returned func.
func (k *kubelet) traced(ctx context.Context, name string) (context.Context, trace.Span) {
	return k.tp.Tracer("kubelet").Start(ctx, name)
}

// quiet puts a discarding logger in ctx: kubelet's client logs through klog
// from the context, and log output is not what is measured.
func quiet(ctx context.Context) context.Context {
	return klog.NewContext(ctx, klog.Logger{}) // the zero logr.Logger discards
}
