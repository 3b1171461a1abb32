package embedded

import (
	"context"
	"fmt"
	"slices"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// FailingCommand is the command of a container that fails: a container
// whose command followed by its args is exactly [FailingCommand] exits at
// start with FailingExitCode and reason "Error", and StartContainer returns
// FailedPrecondition. Any other command "runs" until it is stopped.
const FailingCommand = "false"

// FailingExitCode is the exit code of a container running FailingCommand.
const FailingExitCode = 1

// Reasons reported in ContainerStatus.Reason, as containerd reports them.
const (
	reasonCompleted = "Completed"
	reasonError     = "Error"
)

// StartContainer moves a CREATED container to RUNNING. A container whose
// command is FailingCommand goes straight to EXITED with FailingExitCode and
// the call fails with FailedPrecondition, like a runtime whose container
// process dies before it is up.
func (r *Runtime) StartContainer(ctx context.Context, req *runtimeapi.StartContainerRequest) (_ *runtimeapi.StartContainerResponse, err error) {
	_, span := tracer.Start(ctx, SpanContainerStart)
	defer span.End()
	defer func() { tracing.RecordError(span, err) }()

	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := resolve(r.containers, req.GetContainerId(), "container")
	if err != nil {
		return nil, err
	}
	if c.state != runtimeapi.ContainerState_CONTAINER_CREATED {
		return nil, status.Errorf(codes.FailedPrecondition, "container %q is %s, want CONTAINER_CREATED", c.id, c.state)
	}
	s := r.sandboxes[c.sandboxID]
	if s.state != runtimeapi.PodSandboxState_SANDBOX_READY {
		return nil, status.Errorf(codes.FailedPrecondition, "pod sandbox %q of container %q is %s, want SANDBOX_READY", s.id, c.id, s.state)
	}
	c.state = runtimeapi.ContainerState_CONTAINER_RUNNING
	c.startedAt = r.nowNano()
	r.emit(runtimeapi.ContainerEventType_CONTAINER_STARTED_EVENT, c.id, s)
	if slices.Equal(c.argv, []string{FailingCommand}) {
		c.message = fmt.Sprintf("command %q exited with code %d", FailingCommand, FailingExitCode)
		r.exitLocked(c, s, FailingExitCode, reasonError)
		return nil, status.Errorf(codes.FailedPrecondition, "container %q exited at start: %s", c.id, c.message)
	}
	return &runtimeapi.StartContainerResponse{}, nil
}

// StopContainer stops a RUNNING container gracefully: it goes EXITED with
// exit code 0 and reason "Completed". Stopping a container that is not
// running, or an unknown one, succeeds, as CRI requires Stop to be
// idempotent.
func (r *Runtime) StopContainer(ctx context.Context, req *runtimeapi.StopContainerRequest) (_ *runtimeapi.StopContainerResponse, err error) {
	_, span := tracer.Start(ctx, SpanContainerStop)
	defer span.End()
	defer func() { tracing.RecordError(span, err) }()

	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := resolve(r.containers, req.GetContainerId(), "container")
	if isNotFound(err) {
		return &runtimeapi.StopContainerResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	r.stopLocked(c, r.sandboxes[c.sandboxID])
	return &runtimeapi.StopContainerResponse{}, nil
}

// stopLocked stops c gracefully if it runs. Callers hold mu for writing.
func (r *Runtime) stopLocked(c *container, s *sandbox) {
	if c.state == runtimeapi.ContainerState_CONTAINER_RUNNING {
		r.exitLocked(c, s, 0, reasonCompleted)
	}
}

// exitLocked moves the running container c to EXITED with code and reason
// and announces it. Callers hold mu for writing.
func (r *Runtime) exitLocked(c *container, s *sandbox, code int32, reason string) {
	c.state = runtimeapi.ContainerState_CONTAINER_EXITED
	c.finishedAt = r.nowNano()
	c.exitCode = code
	c.reason = reason
	r.emit(runtimeapi.ContainerEventType_CONTAINER_STOPPED_EVENT, c.id, s)
}
