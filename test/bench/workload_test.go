package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// benchImage is the image every workload pulls and runs.
const benchImage = "busybox"

// listSize is how many containers ListContainers returns.
const listSize = 10

// listed selects the containers ListContainers is measured on, so calls
// running alongside (CreateContainer in the mix) do not change its answer.
var listed = &runtimeapi.ContainerFilter{LabelSelector: map[string]string{"set": "listed"}}

// rpc is one of the measured calls. setup prepares, with client k, what the
// call needs on a fresh stack (outside the timer).
type rpc struct {
	name  string
	setup func(ctx context.Context, k *kubelet) (*op, error)
}

// call makes one measured call with client k; i numbers the call, so the
// names it creates stay unique. A call may run on any client of the stack
// it was set up on, concurrently.
type call func(ctx context.Context, k *kubelet, i int64) error

// op is a prepared rpc. When ready is set and reports false, prepare must
// run (outside the timer, in BenchmarkRPC) before the next do, or do does
// that work itself.
type op struct {
	do      call
	ready   func() bool
	prepare func(ctx context.Context, k *kubelet) error
}

// rpcs is the measured set, in report order.
func rpcs() []rpc {
	return []rpc{
		{name: "Version", setup: setupVersion},
		{name: "RunPodSandbox", setup: setupRunPodSandbox},
		{name: "CreateContainer", setup: setupCreateContainer},
		{name: "ListContainers", setup: setupListContainers},
		{name: "PullImage", setup: setupPullImage},
	}
}

// podConfig is the sandbox config kubelet sends for pod name.
func podConfig(name string) *runtimeapi.PodSandboxConfig {
	return &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: name, Namespace: "bench", Uid: "uid-" + name},
		Labels:       map[string]string{"app": "bench"},
		Annotations:  map[string]string{"kubernetes.io/config.source": "api"},
		LogDirectory: "/var/log/pods/bench_" + name,
	}
}

// containerConfig is the container config kubelet sends for container
// name; set labels it so ListContainers can select its group.
func containerConfig(name, set, image string) *runtimeapi.ContainerConfig {
	return &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: name},
		Image:    &runtimeapi.ImageSpec{Image: image},
		Command:  []string{"sleep", "3600"},
		Labels:   map[string]string{"container": name, "set": set},
		LogPath:  name + "/0.log",
		Envs:     []*runtimeapi.KeyValue{{Key: "TOKEN", Value: []byte("not-recorded")}},
	}
}

// pull pulls benchImage for pod.
func pull(ctx context.Context, k *kubelet, pod string) error {
	if _, err := k.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: benchImage}, nil, podConfig(pod)); err != nil {
		return fmt.Errorf("pulling %q: %w", benchImage, err)
	}
	return nil
}

func setupVersion(context.Context, *kubelet) (*op, error) {
	return &op{do: func(ctx context.Context, k *kubelet, _ int64) error {
		_, err := k.rt.Version(ctx, "v1")
		return err
	}}, nil
}

func setupRunPodSandbox(context.Context, *kubelet) (*op, error) {
	return &op{do: func(ctx context.Context, k *kubelet, i int64) error {
		_, err := k.rt.RunPodSandbox(ctx, podConfig("run-"+strconv.FormatInt(i, 10)), "")
		return err
	}}, nil
}

// containersPerPod is how many containers CreateContainer puts in one pod
// before it moves on to a new one, removing an older pod with its
// containers. Pods hold a few containers, and the embedded runtime builds
// each container event by walking every container it has, so an
// ever-growing set would measure that walk (and make the cost per call
// depend on b.N), not the RPC.
const containersPerPod = 4

// podPool hands out the pod each CreateContainer call creates its
// container in, running a new pod every containersPerPod containers and
// removing older pods once no call uses them.
type podPool struct {
	next  atomic.Int64 // containers handed out so far
	mu    sync.Mutex
	pods  map[int64]*poolPod // by pod number
	users map[int64]int      // calls in flight, by pod number
}

type poolPod struct {
	id  string
	cfg *runtimeapi.PodSandboxConfig
}

func newPodPool() *podPool {
	return &podPool{pods: make(map[int64]*poolPod), users: make(map[int64]int)}
}

// acquire returns pod number n, running it with k if it does not exist
// yet. The caller releases it when its call has returned.
func (p *podPool) acquire(ctx context.Context, k *kubelet, n int64) (*poolPod, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pod, ok := p.pods[n]
	if !ok {
		if err := p.sweepLocked(ctx, k, n); err != nil {
			return nil, err
		}
		cfg := podConfig("holder-" + strconv.FormatInt(n, 10))
		id, err := k.rt.RunPodSandbox(ctx, cfg, "")
		if err != nil {
			return nil, fmt.Errorf("running pod %q: %w", cfg.GetMetadata().GetName(), err)
		}
		pod = &poolPod{id: id, cfg: cfg}
		p.pods[n] = pod
	}
	p.users[n]++
	return pod, nil
}

// release ends one call's use of pod number n.
func (p *podPool) release(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[n]--
}

// sweepLocked stops and removes, with their containers, the pods older
// than n-1 that no call uses any more.
func (p *podPool) sweepLocked(ctx context.Context, k *kubelet, n int64) error {
	for m, pod := range p.pods {
		if m >= n-1 || p.users[m] > 0 {
			continue
		}
		if err := k.rt.StopPodSandbox(ctx, pod.id); err != nil {
			return fmt.Errorf("stopping pod %q: %w", pod.id, err)
		}
		if err := k.rt.RemovePodSandbox(ctx, pod.id); err != nil {
			return fmt.Errorf("removing pod %q: %w", pod.id, err)
		}
		delete(p.pods, m)
		delete(p.users, m)
	}
	return nil
}

// ready reports whether the next call's pod already runs.
func (p *podPool) ready() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.pods[p.next.Load()/containersPerPod]
	return ok
}

// prepare runs the next call's pod.
func (p *podPool) prepare(ctx context.Context, k *kubelet) error {
	n := p.next.Load() / containersPerPod
	if _, err := p.acquire(ctx, k, n); err != nil {
		return err
	}
	p.release(n)
	return nil
}

func setupCreateContainer(ctx context.Context, k *kubelet) (*op, error) {
	if err := pull(ctx, k, "puller-create"); err != nil {
		return nil, err
	}
	pool := newPodPool()
	do := func(ctx context.Context, k *kubelet, i int64) error {
		n := (pool.next.Add(1) - 1) / containersPerPod
		pod, err := pool.acquire(ctx, k, n)
		if err != nil {
			return err
		}
		defer pool.release(n)
		_, err = k.rt.CreateContainer(ctx, pod.id, containerConfig("c-"+strconv.FormatInt(i, 10), "created", benchImage), pod.cfg)
		return err
	}
	return &op{do: do, ready: pool.ready, prepare: pool.prepare}, nil
}

func setupListContainers(ctx context.Context, k *kubelet) (*op, error) {
	if err := pull(ctx, k, "holder-list"); err != nil {
		return nil, err
	}
	pod := podConfig("holder-list")
	id, err := k.rt.RunPodSandbox(ctx, pod, "")
	if err != nil {
		return nil, fmt.Errorf("running pod %q: %w", "holder-list", err)
	}
	for i := range listSize {
		if _, err := k.rt.CreateContainer(ctx, id, containerConfig("listed-"+strconv.Itoa(i), "listed", benchImage), pod); err != nil {
			return nil, fmt.Errorf("creating container %d: %w", i, err)
		}
	}
	return &op{do: func(ctx context.Context, k *kubelet, _ int64) error {
		got, err := k.rt.ListContainers(ctx, listed)
		if err == nil && len(got) != listSize {
			err = fmt.Errorf("ListContainers returned %d containers, want %d", len(got), listSize)
		}
		return err
	}}, nil
}

func setupPullImage(context.Context, *kubelet) (*op, error) {
	pod := podConfig("puller")
	return &op{do: func(ctx context.Context, k *kubelet, _ int64) error {
		_, err := k.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: benchImage}, nil, pod)
		return err
	}}, nil
}

// mix is the workload of the concurrent benchmarks: the calls in turn,
// shared by every client, numbered by one counter so names stay unique
// across clients. Preparation work (a new pod every few CreateContainer)
// happens inside the calls here, as it would on a node.
type mix struct {
	calls []call
	next  atomic.Int64
}

// newMix prepares every rpc of set on k's stack.
func newMix(ctx context.Context, k *kubelet, set []rpc) (*mix, error) {
	m := &mix{}
	for _, r := range set {
		o, err := r.setup(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("setting up %s: %w", r.name, err)
		}
		m.calls = append(m.calls, o.do)
	}
	return m, nil
}

// do makes the next call of the mix with client k.
func (m *mix) do(ctx context.Context, k *kubelet) error {
	i := m.next.Add(1)
	return m.calls[i%int64(len(m.calls))](ctx, k, i)
}
