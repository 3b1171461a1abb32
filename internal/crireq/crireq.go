package crireq

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Required returns the error for a missing request field: InvalidArgument,
// "<field> is required", where field is the field's path as the proto
// spells it (config.metadata.name), so the message points at the exact
// field whichever client sent the request.
func Required(field string) error {
	return status.Errorf(codes.InvalidArgument, "%s is required", field)
}

// PodSandboxConfig checks the pod identity every runtime needs to name a
// sandbox: config.metadata with name, namespace and uid. It returns the
// Required error of the first field missing, outermost first, and nil when
// all are set. Everything else in cfg is left to the runtime.
func PodSandboxConfig(cfg *runtimeapi.PodSandboxConfig) error {
	if cfg == nil {
		return Required("config")
	}
	md := cfg.GetMetadata()
	switch {
	case md == nil:
		return Required("config.metadata")
	case md.GetName() == "":
		return Required("config.metadata.name")
	case md.GetNamespace() == "":
		return Required("config.metadata.namespace")
	case md.GetUid() == "":
		return Required("config.metadata.uid")
	}
	return nil
}
