package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/test/harness"
)

// BenchmarkForward measures forward mode against a real containerd (with
// runc) started by test/harness: the latency crio-trace adds in front of
// containerd, tracing off and on, against kubelet's client talking to
// containerd directly; and a pod start (RunPodSandbox, CreateContainer,
// StartContainer of busybox, host network) through each. The pod's stop and
// removal run outside the timer.
//
// It needs root, containerd and runc, and the tools of
// hack/install-e2e-deps.sh; without them it skips, loudly.
func BenchmarkForward(b *testing.B) {
	requireContainerd(b)
	env := harness.Start(b)
	paths := []struct {
		name  string
		serve func(b *testing.B) *stack
	}{
		{name: "path=direct", serve: func(*testing.B) *stack {
			return &stack{endpoint: env.Containerd.Endpoint()}
		}},
		{name: "path=crio-trace-off", serve: func(b *testing.B) *stack { return serveForward(b, env.Containerd.Endpoint(), false) }},
		{name: "path=crio-trace-on", serve: func(b *testing.B) *stack { return serveForward(b, env.Containerd.Endpoint(), true) }},
	}
	var pods atomic.Int64
	for _, op := range []struct {
		name string
		run  func(b *testing.B, k *kubelet)
	}{
		{name: "op=Version", run: func(b *testing.B, k *kubelet) {
			ctx := quiet(b.Context())
			for b.Loop() {
				if _, err := k.rt.Version(ctx, "v1"); err != nil {
					b.Fatalf("Version: %v", err)
				}
			}
		}},
		{name: "op=ListContainers", run: func(b *testing.B, k *kubelet) {
			ctx := quiet(b.Context())
			for b.Loop() {
				if _, err := k.rt.ListContainers(ctx, nil); err != nil {
					b.Fatalf("ListContainers: %v", err)
				}
			}
		}},
		{name: "op=PodStart", run: func(b *testing.B, k *kubelet) { podStarts(b, k, env.BusyboxImage, &pods) }},
	} {
		for _, p := range paths {
			b.Run(op.name+"/"+p.name, func(b *testing.B) {
				st := p.serve(b)
				k := st.connect(b, true)
				b.ReportAllocs()
				op.run(b, k)
			})
		}
	}
}

// serveForward runs the crio-trace daemon in forward mode in front of
// endpoint, tracing off, or on and exporting to a receiver that counts.
func serveForward(b *testing.B, endpoint string, tracing bool) *stack {
	args := []string{"--runtime-endpoint", endpoint}
	name := "crio-trace-off"
	if tracing {
		args = append(args, "--enable-tracing", "--tracing-endpoint", startCountingReceiver(b, 0).Addr())
		name = "crio-trace-on"
	}
	return startDaemon(b, name, args...)
}

// podStarts times b.N pod starts through k: run the sandbox, create and
// start one busybox container. Each pod is stopped and removed with the
// timer stopped.
func podStarts(b *testing.B, k *kubelet, image string, seq *atomic.Int64) {
	ctx := quiet(b.Context())
	if _, err := k.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: image}, nil, nil); err != nil {
		b.Fatalf("pulling %s: %v", image, err)
	}
	logs := b.TempDir()
	cycle := func() {
		n := strconv.FormatInt(seq.Add(1), 10)
		cfg := &runtimeapi.PodSandboxConfig{
			Metadata:     &runtimeapi.PodSandboxMetadata{Name: "bench-" + n, Namespace: "bench", Uid: "bench-uid-" + n},
			LogDirectory: filepath.Join(logs, n),
			Linux: &runtimeapi.LinuxPodSandboxConfig{SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
				NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE},
			}},
		}
		id, err := podStart(ctx, k, cfg, image)
		b.StopTimer()
		if id != "" {
			if serr := k.rt.StopPodSandbox(ctx, id); serr != nil {
				b.Errorf("stopping pod %q: %v", id, serr)
			}
			if rerr := k.rt.RemovePodSandbox(ctx, id); rerr != nil {
				b.Errorf("removing pod %q: %v", id, rerr)
			}
		}
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	// One pod untimed: the first start on a fresh path warms caches
	// (image snapshot, shim binary) the others then find warm.
	cycle()
	b.ResetTimer()
	for range b.N {
		cycle()
	}
}

// podStart is kubelet's pod start, shortened to its three CRI calls.
func podStart(ctx context.Context, k *kubelet, cfg *runtimeapi.PodSandboxConfig, image string) (string, error) {
	id, err := k.rt.RunPodSandbox(ctx, cfg, "")
	if err != nil {
		return "", fmt.Errorf("RunPodSandbox: %w", err)
	}
	ctr, err := k.rt.CreateContainer(ctx, id, &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: "sleeper"},
		Image:    &runtimeapi.ImageSpec{Image: image},
		Command:  []string{"sleep", "3600"},
		LogPath:  "sleeper.log",
	}, cfg)
	if err != nil {
		return id, fmt.Errorf("CreateContainer: %w", err)
	}
	if err := k.rt.StartContainer(ctx, ctr); err != nil {
		return id, fmt.Errorf("StartContainer %q: %w", ctr, err)
	}
	return id, nil
}

// requireContainerd skips b, loudly, where a real containerd cannot run:
// not root, CRIO_TRACE_E2E=skip, or containerd or runc missing. Missing
// harness tools (crane, pause image…) are reported by the harness itself.
func requireContainerd(b *testing.B) {
	b.Helper()
	const install = "sudo ./hack/install-e2e-deps.sh   # then: sudo make bench"
	if os.Getenv(harness.E2EEnv) == "skip" {
		b.Skipf("!!! SKIPPING %s: %s=skip is set; forward-mode numbers need a real containerd. To run it: %s",
			b.Name(), harness.E2EEnv, install)
	}
	if os.Geteuid() != 0 {
		b.Skipf("!!! SKIPPING %s: not root; containerd mounts overlayfs and runs runc. To run it: %s", b.Name(), install)
	}
	for _, bin := range []string{"containerd", "runc"} {
		if _, err := exec.LookPath(bin); err != nil {
			b.Skipf("!!! SKIPPING %s: %s not found on PATH (%v). To install it: %s", b.Name(), bin, err, install)
		}
	}
}
