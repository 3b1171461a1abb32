package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/crio-trace/crio-trace/internal/waterfall"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/status"
	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	cri "k8s.io/cri-client/pkg"
	"k8s.io/klog/v2"
)

// Names of kubelet's own spans, as kubelet calls them.
const (
	spanSyncPod            = "syncPod"
	spanSyncTerminatingPod = "syncTerminatingPod"
)

// kubeletScope is the instrumentation scope of the spans the demo makes as
// kubelet. It names the demo, not kubelet, to stay honest about who made them.
const kubeletScope = "github.com/crio-trace/crio-trace/cmd/crio-trace-demo"

// connectionTimeout is kubelet's default runtime request timeout.
const connectionTimeout = 2 * time.Minute

// stopGracePeriod is the grace period kubelet passes to StopContainer.
const stopGracePeriod = 30

// call is one CRI call kubelet made.
type call struct {
	// trace is the id of the trace it belongs to.
	trace string
	// method is the full gRPC method, e.g. runtime.v1.RuntimeService/RunPodSandbox.
	method string
	// object is what the call acted on: a pod, container or image.
	object string
	took   time.Duration
	err    error
}

// short is the method name without its service.
func (c call) short() string { return shortMethod(c.method) }

// kubelet plays kubelet with kubelet's own CRI client.
type kubelet struct {
	rt     internalapi.RuntimeService
	img    internalapi.ImageManagerService
	tracer trace.Tracer
	out    io.Writer

	mu    sync.Mutex
	calls []call
}

// container is a container kubelet created.
type container struct{ name, id string }

// connect builds kubelet's runtime and image clients for endpoint, traced
// with tp. ctx must carry kubelet's logger.
func connect(ctx context.Context, endpoint string, tp trace.TracerProvider, out io.Writer) (*kubelet, error) {
	rt, err := cri.NewRemoteRuntimeServiceBuilder().WithEndpoint(endpoint).
		WithConnectionTimeout(connectionTimeout).WithTracerProvider(tp).Build(ctx)
	if err != nil {
		return nil, fmt.Errorf("kubelet: connecting to the runtime service at %q: %w", endpoint, err)
	}
	img, err := cri.NewRemoteImageServiceBuilder().WithEndpoint(endpoint).
		WithConnectionTimeout(connectionTimeout).WithTracerProvider(tp).Build(ctx)
	if err != nil {
		_ = rt.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("kubelet: connecting to the image service at %q: %w", endpoint, err)
	}
	return &kubelet{rt: rt, img: img, tracer: tp.Tracer(kubeletScope), out: out}, nil
}

// close closes both clients.
func (k *kubelet) close(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	return errors.Join(k.rt.Close(ctx), k.img.Close(ctx))
}

// kubeletContext returns ctx with a logger that discards what kubelet's
// client logs (failed calls, for one), so the demo's output stays its own.
// The zero klog.Logger discards.
func kubeletContext(ctx context.Context) context.Context {
	return klog.NewContext(ctx, klog.Logger{})
}

// podAttrs are the attributes kubelet's syncPod and syncTerminatingPod
// spans carry.
func podAttrs(p pod, updateType string) []attribute.KeyValue {
	return []attribute.KeyValue{
		semconv.K8SPodUID(p.uid),
		attribute.String("k8s.pod", p.ref()),
		semconv.K8SPodName(podName),
		attribute.String("k8s.pod.update_type", updateType),
		semconv.K8SNamespaceName(podNamespace),
	}
}

// startPod is kubelet's syncPod for a new pod: the sandbox, then for each
// container its image (status, pull when absent), create and start, then
// the status calls that confirm the pod runs. A container that fails to
// start does not stop the others, as in kubelet. It returns the sandbox id
// and the ids of the containers created.
func (k *kubelet) startPod(ctx context.Context, p pod) (sandboxID string, created []container, traceID string, err error) {
	ctx, span := k.tracer.Start(ctx, spanSyncPod, trace.WithAttributes(podAttrs(p, "create")...))
	defer span.End()
	defer func() { recordError(span, err) }()
	traceID = span.SpanContext().TraceID().String()
	fmt.Fprintf(k.out, "kubelet ▸ %s %s (trace %s)\n", spanSyncPod, p.ref(), traceID)

	err = k.do(ctx, "runtime.v1.RuntimeService/RunPodSandbox", p.ref(), func() (err error) {
		sandboxID, err = k.rt.RunPodSandbox(ctx, p.sandbox, "")
		return err
	})
	if err != nil {
		return "", nil, traceID, fmt.Errorf("starting the sandbox of pod %q: %w", p.ref(), err)
	}
	_ = k.do(ctx, "runtime.v1.RuntimeService/PodSandboxStatus", p.ref(), func() error {
		_, err := k.rt.PodSandboxStatus(ctx, sandboxID, false)
		return err
	})
	var errs []error
	for _, c := range p.containers {
		if ctx.Err() != nil {
			break // Ctrl-C or --timeout: kubelet is going away
		}
		id, err := k.startContainer(ctx, p, sandboxID, c)
		if id != "" {
			created = append(created, container{name: c.GetMetadata().GetName(), id: id})
		}
		errs = append(errs, err)
	}
	for _, c := range created {
		_ = k.do(ctx, "runtime.v1.RuntimeService/ContainerStatus", c.name, func() error {
			_, err := k.rt.ContainerStatus(ctx, c.id, false)
			return err
		})
	}
	return sandboxID, created, traceID, errors.Join(errs...)
}

// startContainer is kubelet's startContainer: ensure the image, create,
// start. It returns the container id once created.
func (k *kubelet) startContainer(ctx context.Context, p pod, sandboxID string, c *runtimeapi.ContainerConfig) (string, error) {
	name, image := c.GetMetadata().GetName(), c.GetImage().GetImage()
	var present bool
	err := k.do(ctx, "runtime.v1.ImageService/ImageStatus", image, func() error {
		st, err := k.img.ImageStatus(ctx, c.GetImage(), false)
		present = st.GetImage() != nil
		return err
	})
	if err == nil && !present {
		err = k.do(ctx, "runtime.v1.ImageService/PullImage", image, func() error {
			_, err := k.img.PullImage(ctx, c.GetImage(), nil, p.sandbox)
			return err
		})
	}
	if err != nil {
		return "", fmt.Errorf("pulling image %q for container %q: %w", image, name, err)
	}
	var id string
	if err := k.do(ctx, "runtime.v1.RuntimeService/CreateContainer", name, func() (err error) {
		id, err = k.rt.CreateContainer(ctx, sandboxID, c, p.sandbox)
		return err
	}); err != nil {
		return "", fmt.Errorf("creating container %q: %w", name, err)
	}
	if err := k.do(ctx, "runtime.v1.RuntimeService/StartContainer", name, func() error {
		return k.rt.StartContainer(ctx, id)
	}); err != nil {
		return id, fmt.Errorf("starting container %q: %w", name, err)
	}
	return id, nil
}

// stopPod is kubelet's syncTerminatingPod followed by the removal of the
// sandbox: the containers are stopped in parallel with their grace period,
// then the sandbox is stopped and removed.
func (k *kubelet) stopPod(ctx context.Context, p pod, sandboxID string, created []container) (traceID string, err error) {
	ctx, span := k.tracer.Start(ctx, spanSyncTerminatingPod, trace.WithAttributes(podAttrs(p, "kill")...))
	defer span.End()
	defer func() { recordError(span, err) }()
	traceID = span.SpanContext().TraceID().String()
	fmt.Fprintf(k.out, "kubelet ▸ %s %s (trace %s)\n", spanSyncTerminatingPod, p.ref(), traceID)

	errs := make([]error, len(created))
	var wg sync.WaitGroup
	for i, c := range created {
		wg.Go(func() {
			errs[i] = k.do(ctx, "runtime.v1.RuntimeService/StopContainer", c.name, func() error {
				return k.rt.StopContainer(ctx, c.id, stopGracePeriod)
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return traceID, fmt.Errorf("stopping the containers of pod %q: %w", p.ref(), err)
	}
	if err := k.do(ctx, "runtime.v1.RuntimeService/StopPodSandbox", p.ref(), func() error {
		return k.rt.StopPodSandbox(ctx, sandboxID)
	}); err != nil {
		return traceID, fmt.Errorf("stopping the sandbox of pod %q: %w", p.ref(), err)
	}
	if err := k.do(ctx, "runtime.v1.RuntimeService/RemovePodSandbox", p.ref(), func() error {
		return k.rt.RemovePodSandbox(ctx, sandboxID)
	}); err != nil {
		return traceID, fmt.Errorf("removing the sandbox of pod %q: %w", p.ref(), err)
	}
	return traceID, nil
}

// do runs one CRI call, records it and prints a line about it.
func (k *kubelet) do(ctx context.Context, method, object string, fn func() error) error {
	start := time.Now()
	err := fn()
	c := call{trace: trace.SpanContextFromContext(ctx).TraceID().String(), method: method, object: object, took: time.Since(start), err: err}
	mark, tail := "✓", waterfall.FormatDuration(c.took)
	if err != nil {
		st := status.Convert(err)
		mark, tail = "✗", fmt.Sprintf("%s  %s: %s", tail, st.Code(), st.Message())
	}
	// Calls run in parallel (StopContainer): one lock keeps the record and
	// the output lines whole.
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, c)
	fmt.Fprintf(k.out, "  %s %-17s %-32s %s\n", mark, c.short(), object, tail)
	return err
}

// recorded returns the calls made so far.
func (k *kubelet) recorded() []call {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]call(nil), k.calls...)
}

// recordError marks a kubelet span failed, as kubelet does for syncPod.
func recordError(span trace.Span, err error) {
	if err == nil {
		return
	}
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
}
