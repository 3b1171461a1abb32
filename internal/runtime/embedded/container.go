package embedded

import (
	"context"
	"maps"
	"path/filepath"
	"slices"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// CreateContainer creates a CREATED container in a READY sandbox from an
// image that has been pulled. The container's name, built from its metadata
// and its sandbox's, must be free: a duplicate gets AlreadyExists naming the
// container that holds the name. Environment values in the config are not
// kept.
func (r *Runtime) CreateContainer(_ context.Context, req *runtimeapi.CreateContainerRequest) (*runtimeapi.CreateContainerResponse, error) {
	cfg := req.GetConfig()
	md := cfg.GetMetadata()
	switch {
	case md == nil:
		return nil, status.Error(codes.InvalidArgument, "config.metadata is required")
	case md.Name == "":
		return nil, status.Error(codes.InvalidArgument, "config.metadata.name is required")
	case cfg.GetImage().GetImage() == "":
		return nil, status.Error(codes.InvalidArgument, "config.image.image is required")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := resolve(r.sandboxes, req.GetPodSandboxId(), "pod sandbox")
	if err != nil {
		return nil, err
	}
	if s.state != runtimeapi.PodSandboxState_SANDBOX_READY {
		return nil, status.Errorf(codes.FailedPrecondition, "pod sandbox %q is %s, want SANDBOX_READY", s.id, s.state)
	}
	img := r.findImageLocked(cfg.GetImage().GetImage())
	if img == nil {
		return nil, status.Errorf(codes.NotFound, "image %q not found: pull it first", cfg.GetImage().GetImage())
	}
	c := &container{
		id:          newID(),
		name:        containerName(md, s.metadata),
		sandboxID:   s.id,
		metadata:    proto.CloneOf(md),
		image:       imageSpecFor(cfg.GetImage(), img),
		imageRef:    img.id,
		argv:        append(slices.Clone(cfg.GetCommand()), cfg.GetArgs()...),
		state:       runtimeapi.ContainerState_CONTAINER_CREATED,
		createdAt:   r.nowNano(),
		labels:      maps.Clone(cfg.GetLabels()),
		annotations: maps.Clone(cfg.GetAnnotations()),
		resources:   &runtimeapi.ContainerResources{Linux: proto.CloneOf(cfg.GetLinux().GetResources())},
		stopSignal:  cfg.GetStopSignal(),
	}
	for _, m := range cfg.GetMounts() {
		c.mounts = append(c.mounts, proto.CloneOf(m))
	}
	if s.logDirectory != "" && cfg.GetLogPath() != "" {
		c.logPath = filepath.Join(s.logDirectory, cfg.GetLogPath())
	}
	if holder, ok := r.containerNames[c.name]; ok {
		return nil, status.Errorf(codes.AlreadyExists, "container name %q is reserved for container %q", c.name, holder)
	}
	r.containerNames[c.name] = c.id
	r.containers[c.id] = c
	s.containers[c.id] = struct{}{}
	r.emit(runtimeapi.ContainerEventType_CONTAINER_CREATED_EVENT, c.id, s)
	return &runtimeapi.CreateContainerResponse{ContainerId: c.id}, nil
}

// imageSpecFor is the image a container reports: the reference it was
// created with, normalized when it is a reference, or the image id.
func imageSpecFor(req *runtimeapi.ImageSpec, img *image) *runtimeapi.ImageSpec {
	spec := &runtimeapi.ImageSpec{
		Image:              img.id,
		Annotations:        maps.Clone(req.GetAnnotations()),
		UserSpecifiedImage: req.GetUserSpecifiedImage(),
		RuntimeHandler:     req.GetRuntimeHandler(),
	}
	if ref, err := ParseReference(req.GetImage()); err == nil {
		if n := ref.String(); slices.Contains(img.repoTags, n) || slices.Contains(img.repoDigests, n) {
			spec.Image = n
		}
	}
	if spec.UserSpecifiedImage == "" {
		spec.UserSpecifiedImage = req.GetImage()
	}
	return spec
}

// RemoveContainer removes the container, stopping it first if it runs.
// Removing an unknown container succeeds, as CRI requires.
func (r *Runtime) RemoveContainer(_ context.Context, req *runtimeapi.RemoveContainerRequest) (*runtimeapi.RemoveContainerResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := resolve(r.containers, req.GetContainerId(), "container")
	if isNotFound(err) {
		return &runtimeapi.RemoveContainerResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	r.removeLocked(c, r.sandboxes[c.sandboxID])
	return &runtimeapi.RemoveContainerResponse{}, nil
}

// removeLocked stops c if it runs, then deletes it from the store. s is
// c's sandbox. Callers hold mu for writing.
func (r *Runtime) removeLocked(c *container, s *sandbox) {
	r.stopLocked(c, s)
	delete(r.containers, c.id)
	delete(r.containerNames, c.name)
	delete(s.containers, c.id)
	r.emit(runtimeapi.ContainerEventType_CONTAINER_DELETED_EVENT, c.id, s)
}

// ContainerStatus returns the status of the container; NotFound names an
// unknown id. With verbose it adds an "info" entry, a JSON object.
func (r *Runtime) ContainerStatus(_ context.Context, req *runtimeapi.ContainerStatusRequest) (*runtimeapi.ContainerStatusResponse, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, err := resolve(r.containers, req.GetContainerId(), "container")
	if err != nil {
		return nil, err
	}
	resp := &runtimeapi.ContainerStatusResponse{Status: c.status()}
	if req.GetVerbose() {
		resp.Info = map[string]string{"info": mustJSON(map[string]any{
			"id":        c.id,
			"name":      c.name,
			"sandboxID": c.sandboxID,
			"embedded":  true,
		})}
	}
	return resp, nil
}

// ListContainers lists the containers that match the filter (id prefix,
// state, pod sandbox id prefix, label selector), oldest first.
func (r *Runtime) ListContainers(_ context.Context, req *runtimeapi.ListContainersRequest) (*runtimeapi.ListContainersResponse, error) {
	return &runtimeapi.ListContainersResponse{Containers: r.listContainers(req.GetFilter())}, nil
}

func (r *Runtime) listContainers(f *runtimeapi.ContainerFilter) []*runtimeapi.Container {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []*runtimeapi.Container
	for _, c := range r.sortedContainers(nil) {
		if c.matches(f) {
			out = append(out, c.toProto())
		}
	}
	return out
}

// UpdateContainerResources records the new Linux resources; ContainerStatus
// reports them. NotFound names an unknown id.
func (r *Runtime) UpdateContainerResources(_ context.Context, req *runtimeapi.UpdateContainerResourcesRequest) (*runtimeapi.UpdateContainerResourcesResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := resolve(r.containers, req.GetContainerId(), "container")
	if err != nil {
		return nil, err
	}
	if req.GetLinux() != nil {
		c.resources = &runtimeapi.ContainerResources{Linux: proto.CloneOf(req.GetLinux())}
	}
	return &runtimeapi.UpdateContainerResourcesResponse{}, nil
}
