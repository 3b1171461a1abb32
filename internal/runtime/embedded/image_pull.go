package embedded

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// Semantic-convention attributes of the pull span and its events.
const (
	attrImageName = attribute.Key("container.image.name")
	attrImageID   = attribute.Key("container.image.id")
)

// Guideline steps 4 and 5: an inner span and its error (enhancements/distributed-tracing-with-opentelemetry.md).
// guideline:begin pull-span

// PullImage "downloads" a well-formed image reference: after the configured
// latency (Options.PullLatency or its per-image override), which ends early
// with Canceled or DeadlineExceeded when ctx does, the image is stored under
// a stable id and that id is returned as the image ref. A malformed
// reference gets InvalidArgument naming image.image. The AuthConfig and the
// sandbox config are ignored: the runtime never reads or keeps credentials.
func (r *Runtime) PullImage(ctx context.Context, req *runtimeapi.PullImageRequest) (_ *runtimeapi.PullImageResponse, err error) {
	ref, err := ParseReference(req.GetImage().GetImage())
	if err != nil {
		return nil, invalidArgument(fmt.Errorf("image.image: %w", err))
	}
	ctx, span := tracer.Start(ctx, SpanImagePull, attrImageName.String(ref.String()))
	defer span.End()
	defer func() { tracing.RecordError(span, err) }()
	// guideline:end pull-span

	img := newImage(ref)
	span.AddEvent(eventPullResolved, trace.WithAttributes(attrImageID.String(img.id)))
	if err := r.download(ctx, ref); err != nil {
		return nil, err
	}
	span.AddEvent(eventPullDownloaded)

	r.mu.Lock()
	if _, ok := r.images[img.id]; !ok {
		r.images[img.id] = img
	}
	r.mu.Unlock()
	span.AddEvent(eventPullStored)
	return &runtimeapi.PullImageResponse{ImageRef: img.id}, nil
}

// download waits for the simulated download of ref, without holding any
// lock, and returns early with ctx's error as a gRPC status.
func (r *Runtime) download(ctx context.Context, ref Reference) error {
	latency, ok := r.imageLatency[ref.String()]
	if !ok {
		latency = r.pullLatency
	}
	if latency <= 0 {
		return nil
	}
	timer := time.NewTimer(latency)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
}
