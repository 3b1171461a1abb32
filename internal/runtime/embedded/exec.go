package embedded

import (
	"context"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// ExecSync runs nothing. It answers deterministically for a RUNNING
// container: ["echo", args...] prints the args joined by spaces and a
// newline; [FailingCommand] exits with FailingExitCode; any other command
// exits 0 with no output. A container that is not running gets
// FailedPrecondition, an unknown one NotFound.
func (r *Runtime) ExecSync(_ context.Context, req *runtimeapi.ExecSyncRequest) (*runtimeapi.ExecSyncResponse, error) {
	if len(req.GetCmd()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "cmd is required")
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, err := resolve(r.containers, req.GetContainerId(), "container")
	if err != nil {
		return nil, err
	}
	if c.state != runtimeapi.ContainerState_CONTAINER_RUNNING {
		return nil, status.Errorf(codes.FailedPrecondition, "container %q is %s, want CONTAINER_RUNNING", c.id, c.state)
	}
	cmd := req.GetCmd()
	switch {
	case cmd[0] == "echo":
		return &runtimeapi.ExecSyncResponse{Stdout: []byte(strings.Join(cmd[1:], " ") + "\n")}, nil
	case len(cmd) == 1 && cmd[0] == FailingCommand:
		return &runtimeapi.ExecSyncResponse{ExitCode: FailingExitCode}, nil
	}
	return &runtimeapi.ExecSyncResponse{}, nil
}

// cannot is the error of every RPC the embedded runtime cannot honestly
// serve because it has no processes or files.
func cannot(what string) error {
	return status.Errorf(codes.Unimplemented,
		"embedded runtime cannot %s: run crio-trace with --runtime-endpoint to forward to a real runtime", what)
}

// Exec is Unimplemented: there is no process to attach a shell to.
func (r *Runtime) Exec(context.Context, *runtimeapi.ExecRequest) (*runtimeapi.ExecResponse, error) {
	return nil, cannot("exec into a container")
}

// Attach is Unimplemented: there is no process to attach to.
func (r *Runtime) Attach(context.Context, *runtimeapi.AttachRequest) (*runtimeapi.AttachResponse, error) {
	return nil, cannot("attach to a container")
}

// PortForward is Unimplemented: pods have no network namespace.
func (r *Runtime) PortForward(context.Context, *runtimeapi.PortForwardRequest) (*runtimeapi.PortForwardResponse, error) {
	return nil, cannot("forward ports")
}

// ReopenContainerLog is Unimplemented: the runtime writes no logs.
func (r *Runtime) ReopenContainerLog(context.Context, *runtimeapi.ReopenContainerLogRequest) (*runtimeapi.ReopenContainerLogResponse, error) {
	return nil, cannot("reopen container logs")
}

// CheckpointContainer is Unimplemented: there is no process to checkpoint.
func (r *Runtime) CheckpointContainer(context.Context, *runtimeapi.CheckpointContainerRequest) (*runtimeapi.CheckpointContainerResponse, error) {
	return nil, cannot("checkpoint a container")
}

// CheckpointPod is Unimplemented: there is no process to checkpoint.
func (r *Runtime) CheckpointPod(context.Context, *runtimeapi.CheckpointPodRequest) (*runtimeapi.CheckpointPodResponse, error) {
	return nil, cannot("checkpoint a pod")
}

// RestorePod is Unimplemented: there are no checkpoints to restore.
func (r *Runtime) RestorePod(context.Context, *runtimeapi.RestorePodRequest) (*runtimeapi.RestorePodResponse, error) {
	return nil, cannot("restore a pod")
}
