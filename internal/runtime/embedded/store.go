package embedded

import (
	"maps"

	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// sandbox is the stored state of a pod sandbox. Fields other than state and
// the container set never change after RunPodSandbox. All access holds
// Runtime.mu.
type sandbox struct {
	id             string
	name           string
	metadata       *runtimeapi.PodSandboxMetadata
	state          runtimeapi.PodSandboxState
	createdAt      int64
	labels         map[string]string
	annotations    map[string]string
	runtimeHandler string
	logDirectory   string
	ip             string // empty for host-network pods
	namespaces     *runtimeapi.NamespaceOption
	containers     map[string]struct{} // ids of its containers
}

// container is the stored state of a container. It keeps only the parts of
// the ContainerConfig that CRI reports back: never environment values. All
// access holds Runtime.mu.
type container struct {
	id          string
	name        string
	sandboxID   string
	metadata    *runtimeapi.ContainerMetadata
	image       *runtimeapi.ImageSpec // as requested, normalized
	imageRef    string                // image id
	argv        []string              // command followed by args
	state       runtimeapi.ContainerState
	createdAt   int64
	startedAt   int64
	finishedAt  int64
	exitCode    int32
	reason      string
	message     string
	labels      map[string]string
	annotations map[string]string
	mounts      []*runtimeapi.Mount
	logPath     string
	resources   *runtimeapi.ContainerResources
	stopSignal  runtimeapi.Signal
}

// image is a stored image.
type image struct {
	id          string // sha256:<hex>
	repoTags    []string
	repoDigests []string
	size        uint64
	spec        *runtimeapi.ImageSpec
	pinned      bool
}

func (s *sandbox) toProto() *runtimeapi.PodSandbox {
	return &runtimeapi.PodSandbox{
		Id:             s.id,
		Metadata:       proto.CloneOf(s.metadata),
		State:          s.state,
		CreatedAt:      s.createdAt,
		Labels:         maps.Clone(s.labels),
		Annotations:    maps.Clone(s.annotations),
		RuntimeHandler: s.runtimeHandler,
	}
}

func (s *sandbox) status() *runtimeapi.PodSandboxStatus {
	st := &runtimeapi.PodSandboxStatus{
		Id:             s.id,
		Metadata:       proto.CloneOf(s.metadata),
		State:          s.state,
		CreatedAt:      s.createdAt,
		Labels:         maps.Clone(s.labels),
		Annotations:    maps.Clone(s.annotations),
		RuntimeHandler: s.runtimeHandler,
		Linux: &runtimeapi.LinuxPodSandboxStatus{Namespaces: &runtimeapi.Namespace{
			Options: proto.CloneOf(s.namespaces),
		}},
	}
	if s.ip != "" {
		st.Network = &runtimeapi.PodSandboxNetworkStatus{Ip: s.ip}
	}
	return st
}

func (c *container) toProto() *runtimeapi.Container {
	return &runtimeapi.Container{
		Id:           c.id,
		PodSandboxId: c.sandboxID,
		Metadata:     proto.CloneOf(c.metadata),
		Image:        proto.CloneOf(c.image),
		ImageRef:     c.imageRef,
		ImageId:      c.imageRef,
		State:        c.state,
		CreatedAt:    c.createdAt,
		Labels:       maps.Clone(c.labels),
		Annotations:  maps.Clone(c.annotations),
	}
}

func (c *container) status() *runtimeapi.ContainerStatus {
	mounts := make([]*runtimeapi.Mount, len(c.mounts))
	for i, m := range c.mounts {
		mounts[i] = proto.CloneOf(m)
	}
	return &runtimeapi.ContainerStatus{
		Id:          c.id,
		Metadata:    proto.CloneOf(c.metadata),
		State:       c.state,
		CreatedAt:   c.createdAt,
		StartedAt:   c.startedAt,
		FinishedAt:  c.finishedAt,
		ExitCode:    c.exitCode,
		Image:       proto.CloneOf(c.image),
		ImageRef:    c.imageRef,
		ImageId:     c.imageRef,
		Reason:      c.reason,
		Message:     c.message,
		Labels:      maps.Clone(c.labels),
		Annotations: maps.Clone(c.annotations),
		Mounts:      mounts,
		LogPath:     c.logPath,
		Resources:   proto.CloneOf(c.resources),
		StopSignal:  c.stopSignal,
	}
}

func (i *image) toProto() *runtimeapi.Image {
	return &runtimeapi.Image{
		Id:          i.id,
		RepoTags:    append([]string(nil), i.repoTags...),
		RepoDigests: append([]string(nil), i.repoDigests...),
		Size:        i.size,
		Spec:        proto.CloneOf(i.spec),
		Pinned:      i.pinned,
	}
}

// containerStatuses returns the statuses of s's containers. Callers hold mu.
func (r *Runtime) containerStatuses(s *sandbox) []*runtimeapi.ContainerStatus {
	cs := r.sortedContainers(s.containers)
	out := make([]*runtimeapi.ContainerStatus, len(cs))
	for i, c := range cs {
		out[i] = c.status()
	}
	return out
}
