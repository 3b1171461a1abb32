package server

import (
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// validateRunPodSandbox rejects a RunPodSandbox request without the pod
// identity every runtime needs to name the sandbox: config.metadata with
// name, namespace and uid. Everything else is left to the backend, so that
// the Server answers as the runtime behind it would.
func validateRunPodSandbox(req *runtimeapi.RunPodSandboxRequest) error {
	return validatePodConfig(req.GetConfig())
}

func validatePodConfig(cfg *runtimeapi.PodSandboxConfig) error {
	if cfg == nil {
		return errRequired("config")
	}
	md := cfg.GetMetadata()
	switch {
	case md == nil:
		return errRequired("config.metadata")
	case md.GetName() == "":
		return errRequired("config.metadata.name")
	case md.GetNamespace() == "":
		return errRequired("config.metadata.namespace")
	case md.GetUid() == "":
		return errRequired("config.metadata.uid")
	}
	return nil
}
