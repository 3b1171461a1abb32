package embedded

import (
	"fmt"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// sandboxName is the unique name of a pod sandbox, built from its metadata
// as name_namespace_uid_attempt. Two sandboxes with the same metadata cannot
// exist at once: kubelet bumps the attempt to create a new one.
func sandboxName(md *runtimeapi.PodSandboxMetadata) string {
	return fmt.Sprintf("%s_%s_%s_%d", md.GetName(), md.GetNamespace(), md.GetUid(), md.GetAttempt())
}

// containerName is the unique name of a container, built from its own
// metadata and its sandbox's as name_podname_namespace_uid_attempt, so a
// container name is unique within its sandbox and, through the sandbox's
// uid, on the node.
func containerName(md *runtimeapi.ContainerMetadata, pod *runtimeapi.PodSandboxMetadata) string {
	return fmt.Sprintf("%s_%s_%s_%s_%d", md.GetName(), pod.GetName(), pod.GetNamespace(), pod.GetUid(), md.GetAttempt())
}
