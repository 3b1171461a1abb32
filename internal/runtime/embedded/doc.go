// Package embedded is the default backend of the crio-trace daemon: an
// in-memory CRI runtime that implements runtimeapi.RuntimeServiceServer and
// runtimeapi.ImageServiceServer (k8s.io/cri-api v1) without running
// anything.
//
// It runs NO processes, creates no namespaces, cgroups, mounts or network
// interfaces and writes no files. It is a faithful, concurrency-safe CRI
// state machine, so the demo and the tests can drive kubelet's own client
// against crio-trace and see complete, realistic traces on any machine. To
// run real containers, start crio-trace with --runtime-endpoint and it
// forwards every call to containerd or CRI-O instead.
//
// # State machine
//
// Pod sandboxes are SANDBOX_READY from RunPodSandbox until StopPodSandbox or
// RemovePodSandbox makes them SANDBOX_NOTREADY. Containers go
// CONTAINER_CREATED (CreateContainer) -> CONTAINER_RUNNING (StartContainer)
// -> CONTAINER_EXITED (StopContainer, exit code 0, reason "Completed").
// StopPodSandbox stops the sandbox's containers; RemovePodSandbox removes
// them. Stop and Remove of an object that does not exist (any more) succeed,
// as CRI requires; status calls on it return NotFound naming the id.
//
// Ids are 64 random hex digits; every call that takes an id also accepts a
// unique prefix of one, as CRI-O and containerd do. Names follow the CRI
// uniqueness rule: a sandbox is name_namespace_uid_attempt and a container
// name_podname_namespace_uid_attempt; a second object with a taken name gets
// AlreadyExists naming the id that holds it.
//
// # Failing containers
//
// One documented rule makes a container fail: a container whose command
// followed by its args is exactly ["false"] (FailingCommand) exits at start.
// StartContainer moves it to CONTAINER_EXITED with exit code 1
// (FailingExitCode) and reason "Error", records the failure on the
// crio.container.start span and returns FailedPrecondition, as a runtime
// does whose container process dies before it is up.
//
// # Images
//
// PullImage accepts any well-formed reference, normalizes it as containerd
// does (docker.io/library/busybox:latest) and stores an image whose id is
// the sha256 of the normalized reference, so ids are stable across runs. No
// registry is contacted; Options.PullLatency simulates the download and
// honours the request's context. Credentials in the request are never read.
// CreateContainer requires the image to have been pulled.
//
// # Other calls
//
// ExecSync runs nothing and answers deterministically (see ExecSync). Exec,
// Attach, PortForward, ReopenContainerLog, CheckpointContainer,
// CheckpointPod and RestorePod return Unimplemented with a message that
// points to --runtime-endpoint. Stats are small synthetic numbers that only
// grow while a container runs. GetContainerEvents streams real lifecycle
// events to every subscriber; a subscriber more than EventBuffer events
// behind loses events instead of slowing the runtime down.
//
// # Tracing
//
// The runtime starts inner spans (see spans.go) only around its steps:
// crio.image.pull, crio.sandbox.network, crio.sandbox.infra,
// crio.container.start and crio.container.stop, as children of the RPC's
// server span in the context. It never logs.
package embedded
