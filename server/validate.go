package server

import "github.com/crio-trace/crio-trace/internal/crireq"

// errRequired is the error for a missing request field. field is the
// field's path as the proto spells it (config.metadata.name), so the message
// points at the exact field whichever client sent it.
func errRequired(field string) error { return crireq.Required(field) }

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
