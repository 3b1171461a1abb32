package server

import (
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// validateCreateContainer rejects a CreateContainer request that names no
// sandbox or has no config.metadata. The container name, image and the rest
// are left to the backend.
func validateCreateContainer(req *runtimeapi.CreateContainerRequest) error {
	if err := validateSandboxID(req.GetPodSandboxId()); err != nil {
		return err
	}
	cfg := req.GetConfig()
	switch {
	case cfg == nil:
		return errRequired("config")
	case cfg.GetMetadata() == nil:
		return errRequired("config.metadata")
	}
	return nil
}
