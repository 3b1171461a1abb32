package embedded

import (
	"context"
	"maps"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/crireq"
)

// podIP is the address every pod with its own network namespace gets. It is
// loopback on purpose: the embedded runtime creates no network and must never
// hand out an address that could collide with a real one.
const podIP = "127.0.0.1"

// RunPodSandbox creates a READY pod sandbox. Its name, built from the
// metadata, must be free: a second sandbox with the same metadata gets
// AlreadyExists naming the sandbox that holds the name.
func (r *Runtime) RunPodSandbox(ctx context.Context, req *runtimeapi.RunPodSandboxRequest) (*runtimeapi.RunPodSandboxResponse, error) {
	cfg := req.GetConfig()
	if err := crireq.PodSandboxConfig(cfg); err != nil {
		return nil, err
	}
	md := cfg.GetMetadata()
	s := &sandbox{
		id:             newID(),
		name:           sandboxName(md),
		metadata:       proto.CloneOf(md),
		state:          runtimeapi.PodSandboxState_SANDBOX_READY,
		labels:         maps.Clone(cfg.GetLabels()),
		annotations:    maps.Clone(cfg.GetAnnotations()),
		runtimeHandler: req.GetRuntimeHandler(),
		logDirectory:   cfg.GetLogDirectory(),
		namespaces:     proto.CloneOf(cfg.GetLinux().GetSecurityContext().GetNamespaceOptions()),
		containers:     make(map[string]struct{}),
	}
	if s.namespaces == nil {
		s.namespaces = &runtimeapi.NamespaceOption{}
	}
	if err := r.reserveSandboxName(s); err != nil {
		return nil, err
	}
	r.setupNetwork(ctx, s)
	r.createInfra(ctx, s)
	return &runtimeapi.RunPodSandboxResponse{PodSandboxId: s.id}, nil
}

// reserveSandboxName claims s.name for s.id, as the first step of creating
// a sandbox, so concurrent RunPodSandbox calls for one pod cannot both win.
func (r *Runtime) reserveSandboxName(s *sandbox) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if holder, ok := r.sandboxNames[s.name]; ok {
		return status.Errorf(codes.AlreadyExists, "pod sandbox name %q is reserved for pod sandbox %q", s.name, holder)
	}
	r.sandboxNames[s.name] = s.id
	return nil
}

// setupNetwork is the network step of RunPodSandbox: a pod with its own
// network namespace gets podIP, a host-network pod gets nothing.
func (r *Runtime) setupNetwork(ctx context.Context, s *sandbox) {
	_, span := tracer.Start(ctx, SpanSandboxNetwork)
	defer span.End()
	if s.namespaces.GetNetwork() != runtimeapi.NamespaceMode_NODE {
		s.ip = podIP
	}
}

// createInfra is the infra-container step of RunPodSandbox: it stores the
// sandbox, whose infra container shares its id as in CRI-O, and announces
// it.
func (r *Runtime) createInfra(ctx context.Context, s *sandbox) {
	_, span := tracer.Start(ctx, SpanSandboxInfra)
	defer span.End()
	r.mu.Lock()
	defer r.mu.Unlock()
	s.createdAt = r.nowNano()
	r.sandboxes[s.id] = s
	r.emit(runtimeapi.ContainerEventType_CONTAINER_CREATED_EVENT, s.id, s)
	r.emit(runtimeapi.ContainerEventType_CONTAINER_STARTED_EVENT, s.id, s)
}

// StopPodSandbox stops every container of the sandbox (exit code 0) and
// makes it NOTREADY. Stopping an unknown or already stopped sandbox
// succeeds, as CRI requires Stop to be idempotent.
func (r *Runtime) StopPodSandbox(_ context.Context, req *runtimeapi.StopPodSandboxRequest) (*runtimeapi.StopPodSandboxResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := resolve(r.sandboxes, req.GetPodSandboxId(), "pod sandbox")
	if isNotFound(err) {
		return &runtimeapi.StopPodSandboxResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	for _, c := range r.sortedContainers(s.containers) {
		r.stopLocked(c, s)
	}
	if s.state == runtimeapi.PodSandboxState_SANDBOX_READY {
		s.state = runtimeapi.PodSandboxState_SANDBOX_NOTREADY
		r.emit(runtimeapi.ContainerEventType_CONTAINER_STOPPED_EVENT, s.id, s)
	}
	return &runtimeapi.StopPodSandboxResponse{}, nil
}

// RemovePodSandbox removes the sandbox and all its containers, stopping
// them first if needed. Removing an unknown sandbox succeeds.
func (r *Runtime) RemovePodSandbox(_ context.Context, req *runtimeapi.RemovePodSandboxRequest) (*runtimeapi.RemovePodSandboxResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := resolve(r.sandboxes, req.GetPodSandboxId(), "pod sandbox")
	if isNotFound(err) {
		return &runtimeapi.RemovePodSandboxResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	for _, c := range r.sortedContainers(s.containers) {
		r.removeLocked(c, s)
	}
	if s.state == runtimeapi.PodSandboxState_SANDBOX_READY {
		s.state = runtimeapi.PodSandboxState_SANDBOX_NOTREADY
		r.emit(runtimeapi.ContainerEventType_CONTAINER_STOPPED_EVENT, s.id, s)
	}
	delete(r.sandboxes, s.id)
	delete(r.sandboxNames, s.name)
	r.emit(runtimeapi.ContainerEventType_CONTAINER_DELETED_EVENT, s.id, s)
	return &runtimeapi.RemovePodSandboxResponse{}, nil
}

// PodSandboxStatus returns the status of the sandbox and of its
// containers; NotFound names an unknown id. With verbose it adds an "info"
// entry, a JSON object.
func (r *Runtime) PodSandboxStatus(_ context.Context, req *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, err := resolve(r.sandboxes, req.GetPodSandboxId(), "pod sandbox")
	if err != nil {
		return nil, err
	}
	resp := &runtimeapi.PodSandboxStatusResponse{
		Status:             s.status(),
		ContainersStatuses: r.containerStatuses(s),
		Timestamp:          r.nowNano(),
	}
	if req.GetVerbose() {
		resp.Info = map[string]string{"info": mustJSON(map[string]any{
			"id":             s.id,
			"name":           s.name,
			"runtimeHandler": s.runtimeHandler,
			"logDirectory":   s.logDirectory,
			"embedded":       true,
		})}
	}
	return resp, nil
}

// ListPodSandbox lists the sandboxes that match the filter (id prefix,
// state, label selector), oldest first.
func (r *Runtime) ListPodSandbox(_ context.Context, req *runtimeapi.ListPodSandboxRequest) (*runtimeapi.ListPodSandboxResponse, error) {
	return &runtimeapi.ListPodSandboxResponse{Items: r.listSandboxes(req.GetFilter())}, nil
}

func (r *Runtime) listSandboxes(f *runtimeapi.PodSandboxFilter) []*runtimeapi.PodSandbox {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []*runtimeapi.PodSandbox
	for _, s := range r.sortedSandboxes() {
		if s.matches(f) {
			out = append(out, s.toProto())
		}
	}
	return out
}

// UpdatePodSandboxResources accepts the update for an existing sandbox;
// there are no cgroups to change. NotFound names an unknown id.
func (r *Runtime) UpdatePodSandboxResources(_ context.Context, req *runtimeapi.UpdatePodSandboxResourcesRequest) (*runtimeapi.UpdatePodSandboxResourcesResponse, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, err := resolve(r.sandboxes, req.GetPodSandboxId(), "pod sandbox"); err != nil {
		return nil, err
	}
	return &runtimeapi.UpdatePodSandboxResourcesResponse{}, nil
}
