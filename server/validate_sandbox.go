package server

import (
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/crireq"
)

// validateRunPodSandbox rejects a RunPodSandbox request without the pod
// identity every runtime needs to name the sandbox: config.metadata with
// name, namespace and uid (crireq.PodSandboxConfig, the check the embedded
// runtime makes too). Everything else is left to the backend, so that the
// Server answers as the runtime behind it would.
func validateRunPodSandbox(req *runtimeapi.RunPodSandboxRequest) error {
	return crireq.PodSandboxConfig(req.GetConfig())
}
