package main

import (
	"fmt"

	"github.com/google/uuid"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/runtime/embedded"
)

// The pod the demo starts.
const (
	podName          = "web"
	podNamespace     = "default"
	appContainer     = "app"
	sidecarContainer = "log-shipper"
	// secretEnvValue is given to the app as an environment variable. It must
	// never appear in a span: crio-trace records by allow-list.
	secretEnvValue = "s3cr3t-demo-token"
)

// pod describes the pod kubelet runs: its sandbox config and its two
// containers, app first.
type pod struct {
	uid        string
	sandbox    *runtimeapi.PodSandboxConfig
	containers []*runtimeapi.ContainerConfig
}

// ref is the pod as kubelet names it in logs and spans: namespace/name.
func (p pod) ref() string { return podNamespace + "/" + podName }

// newPod builds the pod for o. With a real runtime behind crio-trace the
// pod uses the node's network, so no CNI plugin is needed.
func newPod(o options) pod {
	uid := uuid.NewString() // a version 4 UUID, the shape of a Kubernetes object uid
	sb := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: podName, Namespace: podNamespace, Uid: uid, Attempt: 0},
		Hostname:     podName,
		LogDirectory: fmt.Sprintf("/var/log/pods/%s_%s_%s", podNamespace, podName, uid),
		Labels: map[string]string{
			"app":                         podName,
			"io.kubernetes.pod.name":      podName,
			"io.kubernetes.pod.namespace": podNamespace,
			"io.kubernetes.pod.uid":       uid,
		},
		Linux: &runtimeapi.LinuxPodSandboxConfig{},
	}
	if o.runtimeEndpoint != "" {
		sb.Linux.SecurityContext = &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE},
		}
	}
	sidecarCmd := []string{"sh", "-c", "while true; do sleep 3600; done"}
	if o.scenario.failSidecar {
		sidecarCmd = []string{embedded.FailingCommand}
	}
	return pod{
		uid:     uid,
		sandbox: sb,
		containers: []*runtimeapi.ContainerConfig{
			{
				Metadata: &runtimeapi.ContainerMetadata{Name: appContainer},
				Image:    &runtimeapi.ImageSpec{Image: o.appImage},
				Envs:     []*runtimeapi.KeyValue{{Key: "API_TOKEN", Value: []byte(secretEnvValue)}},
				Labels:   map[string]string{"io.kubernetes.container.name": appContainer},
				LogPath:  appContainer + "/0.log",
			},
			{
				Metadata: &runtimeapi.ContainerMetadata{Name: sidecarContainer},
				Image:    &runtimeapi.ImageSpec{Image: o.sidecarImage},
				Command:  sidecarCmd,
				Labels:   map[string]string{"io.kubernetes.container.name": sidecarContainer},
				LogPath:  sidecarContainer + "/0.log",
			},
		},
	}
}
