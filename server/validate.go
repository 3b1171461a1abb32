package server

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// errRequired is the error for a missing request field. field is the
// field's path as the proto spells it (config.metadata.name), so the message
// points at the exact field whichever client sent it.
func errRequired(field string) error {
	return status.Errorf(codes.InvalidArgument, "%s is required", field)
}

// validateContainerID rejects a request that names no container.
func validateContainerID(id string) error {
	if id == "" {
		return errRequired("container_id")
	}
	return nil
}

// validateSandboxID rejects a request that names no pod sandbox.
func validateSandboxID(id string) error {
	if id == "" {
		return errRequired("pod_sandbox_id")
	}
	return nil
}
