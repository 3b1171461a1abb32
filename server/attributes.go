package server

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// Guideline step 4: attributes (enhancements/distributed-tracing-with-opentelemetry.md).
// guideline:begin attribute-keys

// Attribute keys the Server records on an RPC's server span and in its logs.
// The k8s.* and container.* keys are OpenTelemetry semantic conventions; the
// cri.* keys cover what the conventions do not name.
const (
	AttrPodName            = attribute.Key("k8s.pod.name")
	AttrNamespaceName      = attribute.Key("k8s.namespace.name")
	AttrPodUID             = attribute.Key("k8s.pod.uid")
	AttrContainerName      = attribute.Key("k8s.container.name")
	AttrContainerID        = attribute.Key("container.id")
	AttrContainerImageName = attribute.Key("container.image.name")
	AttrSandboxID          = attribute.Key("cri.sandbox.id")
	AttrRuntimeHandler     = attribute.Key("cri.runtime_handler")
)

// guideline:end attribute-keys

// guideline:begin server-allow-list

// allowList is everything the Server may record. Request fields that can
// hold a secret (auth configs, env values, annotations, mounts, command
// arguments) have no key here, so they cannot reach a span or a log line
// even if an extraction below were to pick them up by mistake.
var allowList = tracing.NewAllowList(
	AttrPodName, AttrNamespaceName, AttrPodUID, AttrContainerName,
	AttrContainerID, AttrContainerImageName, AttrSandboxID, AttrRuntimeHandler,
)

// guideline:end server-allow-list

// Request types are matched by the id they carry, so a new id-only RPC gets
// its attributes without a new case.
type (
	containerIDRequest interface{ GetContainerId() string }
	sandboxIDRequest   interface{ GetPodSandboxId() string }
)

// guideline:begin annotate

// annotate records the attributes req names on the span in ctx. It returns
// before building anything when the span does not record.
func (s *Server) annotate(ctx context.Context, req any) {
	if _, ok := tracing.Recording(ctx); !ok {
		return
	}
	allowList.Set(ctx, s.requestAttrs(req)...)
}

// guideline:end annotate

// annotateResponse records the ids a response hands out (a new sandbox or
// container id) on the span in ctx.
func annotateResponse(ctx context.Context, resp any) {
	if _, ok := tracing.Recording(ctx); !ok {
		return
	}
	allowList.Set(ctx, responseAttrs(resp)...)
}

// requestAttrs returns the pod, container and image attributes req names,
// completed from the index for requests that carry only an id. The result
// is not yet filtered by the allow-list.
func (s *Server) requestAttrs(req any) []attribute.KeyValue {
	switch r := req.(type) {
	case *runtimeapi.RunPodSandboxRequest:
		return appendPod(nil, r.GetConfig().GetMetadata(), r.GetRuntimeHandler())
	case *runtimeapi.RestorePodRequest:
		return appendPod(nil, r.GetConfig().GetMetadata(), r.GetRuntimeHandler())
	case *runtimeapi.CreateContainerRequest:
		attrs, known := s.appendSandbox(nil, r.GetPodSandboxId())
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
		return s.appendContainer(nil, r.GetContainerId())
	case sandboxIDRequest:
		attrs, _ := s.appendSandbox(nil, r.GetPodSandboxId())
		return attrs
	}
	return nil
}

// responseAttrs returns the ids resp hands out.
func responseAttrs(resp any) []attribute.KeyValue {
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
func (s *Server) appendSandbox(attrs []attribute.KeyValue, id string) ([]attribute.KeyValue, bool) {
	if id == "" {
		return attrs, false
	}
	attrs = append(attrs, AttrSandboxID.String(id))
	sb, ok := s.index.sandbox(id)
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
func (s *Server) appendContainer(attrs []attribute.KeyValue, id string) []attribute.KeyValue {
	if id == "" {
		return attrs
	}
	attrs = append(attrs, AttrContainerID.String(id))
	c, ok := s.index.container(id)
	if !ok {
		return attrs
	}
	attrs = append(attrs,
		AttrContainerName.String(c.name),
		AttrContainerImageName.String(c.image))
	attrs, _ = s.appendSandbox(attrs, c.sandboxID)
	return attrs
}
