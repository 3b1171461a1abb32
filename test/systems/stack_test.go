package systems_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/test/harness"
)

// busyboxRef is the harness's busybox image on its loopback registry.
const busyboxRef = "/busybox:1.36"

// stack is everything below kubelet: the back ends, the registry, the
// node's mount namespace and the traced runtime in it (containerd unless
// stackOptions say otherwise), plus what the run must clean up after.
type stack struct {
	ht       harness.Tools
	st       systemTools
	b        backends
	registry string
	// authRegistry is the registry behind basic auth (stackOptions), with
	// its credentials.
	authRegistry authRegistry
	ns           nodeNamespace
	runtime      harness.Runtime
	rt           runtimeapi.RuntimeServiceClient
	im           runtimeapi.ImageServiceClient

	mu  sync.Mutex
	ids []string // sandbox and container ids seen, for the cgroup sweep
}

// stackOptions change what startStack brings up. The zero value is what
// the static-pod tests use.
type stackOptions struct {
	// tap is one more OTLP gRPC endpoint the collector exports to.
	tap string
	// containerdTracing gives containerd's tracing settings for the
	// collector's address; nil exports every span (harness.TracingConfig).
	containerdTracing func(collector string) (harness.TracingSettings, error)
	// authRegistry puts a registry asking for basic auth in front of the
	// harness's, and lets containerd pull from it.
	authRegistry bool
	// runtime is the runtime below kubelet: "" for upstream containerd,
	// runtimeCrio for stock CRI-O v1.34.0, runtimeCrioKit for CRI-O with
	// crio-trace's kit ported in (hack/crio-port.sh). CRI-O exports every
	// span of its own to the collector, as containerd does.
	runtime string
}

// The CRI-O runtimes of stackOptions.runtime.
const (
	runtimeCrio    = "crio"
	runtimeCrioKit = "crio-kit"
)

// startStack brings up the back ends, the node namespace and containerd in
// it, and registers, first so that it runs last, the check that the host is
// as it was.
func startStack(t *testing.T, o stackOptions) *stack {
	t.Helper()
	ht, st := requireSystems(t)
	before := snapshotHost(t)
	// Every t.TempDir of the test is under one directory.
	runDir := filepath.Dir(t.TempDir())
	s := &stack{ht: ht, st: st}
	t.Cleanup(func() {
		s.mu.Lock()
		ids := slices.Clone(s.ids)
		s.mu.Unlock()
		removeCgroups(t, ids, before)
		var own []string
		if s.runtime != nil {
			own = append(own, s.runtime.Root())
		}
		checkHost(t, before, own)
		// The run's processes name its directories on their command lines
		// (the binaries are shared with other runs on the machine); the
		// node namespace's holder is known by its pid.
		marks := append(slices.Clone(own), runDir)
		for _, id := range ids {
			marks = append(marks, id)
		}
		left := leftoverProcesses(marks)
		if s.ns.holder != nil {
			if done, _ := s.ns.holder.Exited(); !done {
				left = append(left, fmt.Sprintf("%d: the node namespace's holder", s.ns.holder.Pid()))
			}
		}
		if len(left) > 0 {
			t.Errorf("processes of the run left behind:\n%s", strings.Join(left, "\n"))
		}
	})
	s.b = startBackends(t, st, o.tap)
	s.registry = harness.StartRegistry(t, ht)
	if o.runtime != "" {
		s.startCrio(t, o)
		return s
	}
	opts := harness.ContainerdOptions{Binary: st.Containerd, ExtraConfig: harness.TracingConfig(s.b.CollectorOTLP)}
	if o.containerdTracing != nil {
		ts, err := o.containerdTracing(s.b.CollectorOTLP)
		if err != nil {
			t.Fatalf("containerd's tracing settings: %v", err)
		}
		opts.ExtraConfig = ts.Config()
	}
	if o.authRegistry {
		s.authRegistry = startAuthRegistry(t, s.registry)
		opts.PlainHTTPRegistries = []string{s.authRegistry.addr}
	}
	s.ns = startNodeNamespace(t, st)
	opts.Wrapper = s.ns.enter()
	s.runtime = harness.StartContainerdWith(t, ht, s.registry, opts)
	s.rt, s.im = s.runtime.Dial(t)
	return s
}

// startCrio starts CRI-O (stock or with the kit, as o says) in the node
// namespace, its own tracing exporting every span to the collector.
func (s *stack) startCrio(t *testing.T, o stackOptions) {
	t.Helper()
	if o.authRegistry || o.containerdTracing != nil {
		t.Fatalf("stackOptions: authRegistry and containerdTracing are for containerd, not %s", o.runtime)
	}
	opts := harness.CrioOptions{Tracing: s.b.CollectorOTLP}
	switch o.runtime {
	case runtimeCrio:
	case runtimeCrioKit:
		opts.Binary = harness.CrioKit(t, s.ht)
	default:
		t.Fatalf("stackOptions.runtime %q: want %q, %q or empty (containerd)", o.runtime, runtimeCrio, runtimeCrioKit)
	}
	s.ns = startNodeNamespace(t, s.st)
	opts.Wrapper = s.ns.enter()
	s.runtime = harness.StartCrio(t, s.ht, s.registry, opts)
	s.rt, s.im = s.runtime.Dial(t)
}

// rememberAll records the ids of every sandbox and container containerd
// has, for the cgroup sweep after the run.
func (s *stack) rememberAll(ctx context.Context) error {
	pods, err := s.rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return err
	}
	for _, p := range pods.GetItems() {
		s.remember(p.GetId())
	}
	ctrs, err := s.rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
	if err != nil {
		return err
	}
	for _, c := range ctrs.GetContainers() {
		s.remember(c.GetId())
	}
	return nil
}

// image is the busybox image the static pods run.
func (s *stack) image() string { return s.registry + busyboxRef }

// podFilter selects a static pod's containers or sandboxes by kubelet's
// labels.
func podLabels(fullName string) map[string]string {
	return map[string]string{"io.kubernetes.pod.name": fullName, "io.kubernetes.pod.namespace": "default"}
}

// runningContainer returns the id of the pod's running container, "" when
// none runs, straight from containerd (no span through crio-trace).
func (s *stack) runningContainer(ctx context.Context, fullName string) (string, error) {
	resp, err := s.rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{
		State:         &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_RUNNING},
		LabelSelector: podLabels(fullName),
	}})
	if err != nil {
		return "", err
	}
	if len(resp.GetContainers()) == 0 {
		return "", nil
	}
	c := resp.GetContainers()[0]
	s.remember(c.GetId(), c.GetPodSandboxId())
	return c.GetId(), nil
}

// podGone reports whether the pod has neither a running container nor a
// ready sandbox left.
func (s *stack) podGone(ctx context.Context, fullName string) (bool, error) {
	if id, err := s.runningContainer(ctx, fullName); err != nil || id != "" {
		return false, err
	}
	resp, err := s.rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{
		State:         &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_READY},
		LabelSelector: podLabels(fullName),
	}})
	if err != nil {
		return false, err
	}
	return len(resp.GetItems()) == 0, nil
}

func (s *stack) remember(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if id != "" && !slices.Contains(s.ids, id) {
			s.ids = append(s.ids, id)
		}
	}
}

// runPod adds a static pod, waits until its container runs, and returns how
// long that took from the moment the manifest appeared.
func (s *stack) runPod(t *testing.T, k kubelet, name string) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	full := k.addPod(t, name, s.image())
	err := waitFor(t.Context(), k.Process, fmt.Sprintf("pod %q running", full), 2*time.Minute, 10*time.Millisecond, func() (bool, error) {
		id, err := s.runningContainer(t.Context(), full)
		return id != "", err
	})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	return full, took
}

// stopPod removes the manifest and waits until kubelet has torn the pod
// down.
func (s *stack) stopPod(t *testing.T, k kubelet, name, full string) {
	t.Helper()
	k.removePod(t, name)
	if err := waitFor(t.Context(), k.Process, fmt.Sprintf("pod %q torn down", full), 2*time.Minute, 50*time.Millisecond, func() (bool, error) {
		return s.podGone(t.Context(), full)
	}); err != nil {
		t.Fatal(err)
	}
}

// artifactDir is where the run keeps what a person looks at afterwards:
// bin/systems in the repository (bin/ is ignored by git).
func (s *stack) artifactDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(s.ht.RepoRoot, "bin", "systems")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("creating %s: %v", dir, err)
	}
	return dir
}
