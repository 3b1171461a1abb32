package criattrs

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// guideline:begin attribute-keys

// Attribute keys recorded on an RPC's server span and in its log record. The
// k8s.* and container.* keys are OpenTelemetry semantic conventions; the
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

// AllowList is everything an Annotator may record. Request fields that can
// hold a secret (auth configs, env values, annotations, mounts, command
// arguments) have no key here, so they cannot reach a span or a log line
// even if an extraction below were to pick them up by mistake.
var AllowList = tracing.NewAllowList(
	AttrPodName, AttrNamespaceName, AttrPodUID, AttrContainerName,
	AttrContainerID, AttrContainerImageName, AttrSandboxID, AttrRuntimeHandler,
)

// guideline:end server-allow-list
