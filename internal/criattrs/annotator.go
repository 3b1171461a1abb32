package criattrs

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// DefaultIndexLimit bounds each table of an Annotator's index. A node runs a
// few hundred pods at most, so the bound only matters when Remove* calls are
// missed (a restart, a runtime that garbage-collects on its own); then the
// oldest entries go first.
const DefaultIndexLimit = 65536

// Annotator records the allow-listed attributes of CRI calls. It is safe for
// concurrent use; make one per server with New.
type Annotator struct {
	index *index
}

// New returns an Annotator whose index holds at most limit sandboxes and
// limit containers.
func New(limit int) *Annotator { return &Annotator{index: newIndex(limit)} }

// Request types are matched by the id they carry, so a new id-only RPC gets
// its attributes without a new case.
// A pod is started from its sandbox config by RunPodSandbox and, on
// runtimes new enough, RestorePod (cri-api v0.35+); matching the interface
// keeps the package building against older cri-api releases (CRI-O v1.34
// pins v0.33).
type (
	containerIDRequest interface{ GetContainerId() string }
	sandboxIDRequest   interface{ GetPodSandboxId() string }
	podConfigRequest   interface {
		GetConfig() *runtimeapi.PodSandboxConfig
		GetRuntimeHandler() string
	}
)

// guideline:begin annotate

// Annotate records the attributes req names on the span in ctx. It returns
// before building anything when the span does not record.
func (a *Annotator) Annotate(ctx context.Context, req any) {
	span, ok := tracing.Recording(ctx)
	if !ok {
		return
	}
	if attrs := a.Request(req); len(attrs) > 0 {
		span.SetAttributes(attrs...)
	}
}

// guideline:end annotate

// Observe learns from a successful call what later calls will need: the pod
// of a new sandbox, the container, pod and image of a new container, a
// sandbox found in a status answer (which refills the index after a
// restart); and forgets what Remove* removed. It then records on the span in
// ctx the ids the response hands out, and the pod a status answer taught it.
// Call it after the runtime answered without error. req and resp may be
// Undecoded: then only the five calls that change the index are decoded,
// and a PodSandboxStatus answer only for a sandbox the index lacks.
func (a *Annotator) Observe(ctx context.Context, req, resp any) {
	if u, ok := req.(Undecoded); ok {
		var skip bool
		if req, resp, skip = a.observed(u, resp); skip {
			return
		}
	}
	relearned := false
	switch r := req.(type) {
	case *runtimeapi.RunPodSandboxRequest:
		a.index.addSandbox(resp.(*runtimeapi.RunPodSandboxResponse).GetPodSandboxId(), r.GetConfig().GetMetadata(), r.GetRuntimeHandler())
	case *runtimeapi.CreateContainerRequest:
		if md := r.GetSandboxConfig().GetMetadata(); md != nil {
			// Learn the pod from the sandbox config the kubelet sends
			// along, so a daemon restarted under running pods names them.
			a.index.learnSandbox(r.GetPodSandboxId(), md, "")
		}
		a.index.addContainer(resp.(*runtimeapi.CreateContainerResponse).GetContainerId(), containerInfo{
			name:      r.GetConfig().GetMetadata().GetName(),
			sandboxID: r.GetPodSandboxId(),
			image:     r.GetConfig().GetImage().GetImage(),
		})
	case *runtimeapi.PodSandboxStatusRequest:
		st := resp.(*runtimeapi.PodSandboxStatusResponse).GetStatus()
		relearned = st.GetId() == r.GetPodSandboxId() && a.index.learnSandbox(st.GetId(), st.GetMetadata(), st.GetRuntimeHandler())
	case *runtimeapi.RemovePodSandboxRequest:
		a.index.removeSandbox(r.GetPodSandboxId())
	case *runtimeapi.RemoveContainerRequest:
		a.index.removeContainer(r.GetContainerId())
	}
	span, ok := tracing.Recording(ctx)
	if !ok {
		return
	}
	if relearned {
		if attrs := a.Request(req); len(attrs) > 0 {
			span.SetAttributes(attrs...)
		}
	}
	if attrs := Response(resp); len(attrs) > 0 {
		span.SetAttributes(attrs...)
	}
}

// Request returns the pod, container and image attributes req names,
// completed from the index for requests that carry only an id, filtered by
// AllowList. req is a generated CRI request or an Undecoded one.
func (a *Annotator) Request(req any) []attribute.KeyValue {
	return AllowList.Filter(a.request(decoded(req)))
}

func (a *Annotator) request(req any) []attribute.KeyValue {
	switch r := req.(type) {
	case podConfigRequest:
		return appendPod(nil, r.GetConfig().GetMetadata(), r.GetRuntimeHandler())
	case *runtimeapi.CreateContainerRequest:
		attrs, known := a.appendSandbox(nil, r.GetPodSandboxId())
		if !known {
			attrs = appendPod(attrs, r.GetSandboxConfig().GetMetadata(), "")
		}
		return append(attrs,
			AttrContainerName.String(r.GetConfig().GetMetadata().GetName()),
			AttrContainerImageName.String(r.GetConfig().GetImage().GetImage()))
	case *runtimeapi.PullImageRequest:
		attrs := appendPod(nil, r.GetSandboxConfig().GetMetadata(), "")
		return append(attrs, AttrContainerImageName.String(r.GetImage().GetImage()))
	case *runtimeapi.ImageStatusRequest:
		return []attribute.KeyValue{AttrContainerImageName.String(r.GetImage().GetImage())}
	case *runtimeapi.RemoveImageRequest:
		return []attribute.KeyValue{AttrContainerImageName.String(r.GetImage().GetImage())}
	case containerIDRequest:
		return a.appendContainer(nil, r.GetContainerId())
	case sandboxIDRequest:
		attrs, _ := a.appendSandbox(nil, r.GetPodSandboxId())
		return attrs
	}
	return nil
}

// Response returns the ids resp hands out, filtered by AllowList. resp is a
// generated CRI response or an Undecoded one.
func Response(resp any) []attribute.KeyValue {
	return AllowList.Filter(response(decoded(resp)))
}

func response(resp any) []attribute.KeyValue {
	switch r := resp.(type) {
	case *runtimeapi.RunPodSandboxResponse:
		return []attribute.KeyValue{AttrSandboxID.String(r.GetPodSandboxId())}
	case *runtimeapi.CreateContainerResponse:
		return []attribute.KeyValue{AttrContainerID.String(r.GetContainerId())}
	}
	return nil
}

func appendPod(attrs []attribute.KeyValue, md *runtimeapi.PodSandboxMetadata, handler string) []attribute.KeyValue {
	return append(attrs,
		AttrPodName.String(md.GetName()),
		AttrNamespaceName.String(md.GetNamespace()),
		AttrPodUID.String(md.GetUid()),
		AttrRuntimeHandler.String(handler))
}

// appendSandbox appends the sandbox id and what the index knows of its pod,
// and reports whether the index knew it.
func (a *Annotator) appendSandbox(attrs []attribute.KeyValue, id string) ([]attribute.KeyValue, bool) {
	if id == "" {
		return attrs, false
	}
	attrs = append(attrs, AttrSandboxID.String(id))
	sb, ok := a.index.sandbox(id)
	if !ok {
		return attrs, false
	}
	return append(attrs,
		AttrPodName.String(sb.name),
		AttrNamespaceName.String(sb.namespace),
		AttrPodUID.String(sb.uid),
		AttrRuntimeHandler.String(sb.runtimeHandler)), true
}

// appendContainer appends the container id and what the index knows of the
// container and of its pod.
func (a *Annotator) appendContainer(attrs []attribute.KeyValue, id string) []attribute.KeyValue {
	if id == "" {
		return attrs
	}
	attrs = append(attrs, AttrContainerID.String(id))
	c, ok := a.index.container(id)
	if !ok {
		return attrs
	}
	attrs = append(attrs,
		AttrContainerName.String(c.name),
		AttrContainerImageName.String(c.image))
	attrs, _ = a.appendSandbox(attrs, c.sandboxID)
	return attrs
}

// IndexLen returns how many sandboxes and containers the index holds: each
// is at most the limit given to New, and drops back as RemovePodSandbox and
// RemoveContainer calls are observed (test/bench's BenchmarkChurn reads it
// after 10^5 pods).
func (a *Annotator) IndexLen() (sandboxes, containers int) { return a.index.len() }
