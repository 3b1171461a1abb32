package harness

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// runtimes are the runtimes the harness starts; the tests below run against
// each.
var runtimes = []struct {
	name  string
	start func(t *testing.T) *Env
}{
	{name: "containerd", start: func(t *testing.T) *Env { return Start(t) }},
	{name: "crio", start: func(t *testing.T) *Env { return StartWithCrio(t, CrioOptions{}) }},
}

// TestHarness brings up the registry and each runtime, pulls the images with
// crictl, and runs a busybox container in a host-network pod and in a pod
// with its own network namespace (served by the loopback CNI plugin).
func TestHarness(t *testing.T) {
	for _, r := range runtimes {
		t.Run(r.name, func(t *testing.T) { testHarness(t, r.start(t)) })
	}
}

func testHarness(t *testing.T, env *Env) {
	for _, img := range []string{env.PauseImage, env.BusyboxImage, CritestBusyboxImage} {
		out, err := Crictl(t, env.Tools, env.Runtime.Endpoint(), "pull", img)
		if err != nil {
			t.Fatalf("crictl pull %s: %v\n%s", img, err, out)
		}
	}
	rt, im := env.Runtime.Dial(t)
	imgs, err := im.ListImages(t.Context(), &runtimeapi.ListImagesRequest{})
	if err != nil {
		t.Fatalf("ListImages: %v", err)
	}
	if got := len(imgs.GetImages()); got < 2 {
		t.Fatalf("ListImages returned %d images, want at least pause and busybox", got)
	}

	users := []struct {
		name         string
		image        string
		wantUID      int64
		wantUsername string
	}{
		{name: "uid", image: "gcr.io/k8s-staging-cri-tools/test-image-user-uid", wantUID: 1002},
		{name: "username", image: "gcr.io/k8s-staging-cri-tools/test-image-user-username", wantUsername: "www-data"},
		{name: "uid and group", image: "gcr.io/k8s-staging-cri-tools/test-image-user-uid-group", wantUID: 1003},
		{name: "username and group", image: "gcr.io/k8s-staging-cri-tools/test-image-user-username-group", wantUsername: "www-data"},
	}
	for _, tc := range users {
		t.Run("image user "+tc.name, func(t *testing.T) {
			spec := &runtimeapi.ImageSpec{Image: tc.image}
			if _, err := im.PullImage(t.Context(), &runtimeapi.PullImageRequest{Image: spec}); err != nil {
				t.Fatalf("PullImage %s: %v", tc.image, err)
			}
			st, err := im.ImageStatus(t.Context(), &runtimeapi.ImageStatusRequest{Image: spec})
			if err != nil {
				t.Fatalf("ImageStatus %s: %v", tc.image, err)
			}
			if uid, name := st.GetImage().GetUid().GetValue(), st.GetImage().GetUsername(); uid != tc.wantUID || name != tc.wantUsername {
				t.Errorf("image user = uid %d, username %q; want uid %d, username %q", uid, name, tc.wantUID, tc.wantUsername)
			}
		})
	}

	tests := []struct {
		name    string
		network runtimeapi.NamespaceMode
		wantIP  string
	}{
		{name: "host network", network: runtimeapi.NamespaceMode_NODE, wantIP: ""},
		{name: "pod network via loopback CNI", network: runtimeapi.NamespaceMode_POD, wantIP: "127.0.0.1"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			podID := runBusyboxPod(t, rt, im, env.BusyboxImage, i, tc.network)

			st, err := rt.PodSandboxStatus(t.Context(), &runtimeapi.PodSandboxStatusRequest{PodSandboxId: podID})
			if err != nil {
				t.Fatalf("PodSandboxStatus: %v", err)
			}
			if got := st.GetStatus().GetNetwork().GetIp(); got != tc.wantIP {
				t.Errorf("pod IP = %q, want %q", got, tc.wantIP)
			}

			ctrs, err := rt.ListContainers(t.Context(), &runtimeapi.ListContainersRequest{
				Filter: &runtimeapi.ContainerFilter{PodSandboxId: podID},
			})
			if err != nil || len(ctrs.GetContainers()) != 1 {
				t.Fatalf("ListContainers in pod %q: %v, %d containers", podID, err, len(ctrs.GetContainers()))
			}
			resp, err := rt.ExecSync(t.Context(), &runtimeapi.ExecSyncRequest{
				ContainerId: ctrs.GetContainers()[0].GetId(), Cmd: []string{"echo", "hi"}, Timeout: 10,
			})
			if err != nil {
				t.Fatalf("ExecSync: %v", err)
			}
			if resp.GetExitCode() != 0 || string(resp.GetStdout()) != "hi\n" {
				t.Errorf("ExecSync echo hi = exit %d, stdout %q, stderr %q; want exit 0, stdout %q",
					resp.GetExitCode(), resp.GetStdout(), resp.GetStderr(), "hi\n")
			}

			if _, err := rt.StopPodSandbox(t.Context(), &runtimeapi.StopPodSandboxRequest{PodSandboxId: podID}); err != nil {
				t.Fatalf("StopPodSandbox: %v", err)
			}
			if _, err := rt.RemovePodSandbox(t.Context(), &runtimeapi.RemovePodSandboxRequest{PodSandboxId: podID}); err != nil {
				t.Fatalf("RemovePodSandbox: %v", err)
			}
		})
	}
}

// TestCleanup leaves a running pod behind in a subtest and checks that the
// harness's cleanup removed every process, mount and directory, and left
// the host's shared places (see hostState) as it found them.
func TestCleanup(t *testing.T) {
	RequireRoot(t) // skips loudly with CRIO_TRACE_E2E=skip, fails when not root
	for _, r := range runtimes {
		t.Run(r.name, func(t *testing.T) { testCleanup(t, r.start) })
	}
}

func testCleanup(t *testing.T, start func(*testing.T) *Env) {
	before := hostState(t)
	var root string
	var pid int
	t.Run("leave a pod running", func(t *testing.T) {
		env := start(t)
		root, pid = env.Root, env.Runtime.Pid()
		rt, im := env.Runtime.Dial(t)
		runBusyboxPod(t, rt, im, env.BusyboxImage, 0, runtimeapi.NamespaceMode_POD)
		if during := hostState(t); env.Crio != nil && during == before {
			t.Errorf("CRI-O ran a pod without touching the host's shared places; is hostState looking in the right places?\n%s", during)
		}
	})
	if root == "" {
		t.Fatal("the subtest did not start the runtime")
	}

	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("the runtime (pid %d) still runs", pid)
	}
	if after := hostState(t); after != before {
		t.Errorf("the host's shared places changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if pids := killUnder(root); len(pids) > 0 {
		t.Errorf("processes under %s outlived the cleanup: %v", root, pids)
	}
	if points, err := mountsUnder(root); err != nil || len(points) > 0 {
		t.Errorf("mounts under %s outlived the cleanup: %v (err %v)", root, points, err)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("%s still exists (stat: %v)", root, err)
	}
}

// TestRestart stops each runtime with a pod running and starts it again on
// the same socket: the socket stops answering, then answers again, and the
// pod and its container are still there, running.
func TestRestart(t *testing.T) {
	for _, r := range runtimes {
		t.Run(r.name, func(t *testing.T) { testRestart(t, r.start(t)) })
	}
}

func testRestart(t *testing.T, env *Env) {
	rt, im := env.Runtime.Dial(t)
	podID := runBusyboxPod(t, rt, im, env.BusyboxImage, 0, runtimeapi.NamespaceMode_NODE)
	oldPid := env.Runtime.Pid()

	env.Runtime.Stop(t)
	if err := syscall.Kill(oldPid, 0); err == nil {
		t.Fatalf("%s (pid %d) still runs after Stop", env.Runtime.Name(), oldPid)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	_, err := rt.Version(ctx, &runtimeapi.VersionRequest{})
	cancel()
	if err == nil {
		t.Fatalf("Version answered while %s was stopped", env.Runtime.Name())
	}

	env.Runtime.Restart(t)
	if env.Runtime.Pid() == oldPid {
		t.Errorf("Restart kept pid %d, want a new process", oldPid)
	}
	tests := []struct {
		name  string
		check func(context.Context) error
	}{
		{name: "pod still ready", check: func(ctx context.Context) error {
			st, err := rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: podID})
			if err == nil && st.GetStatus().GetState() != runtimeapi.PodSandboxState_SANDBOX_READY {
				err = fmt.Errorf("pod state = %v, want SANDBOX_READY", st.GetStatus().GetState())
			}
			return err
		}},
		{name: "container still running", check: func(ctx context.Context) error {
			ctrs, err := rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{
				PodSandboxId: podID, State: &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_RUNNING},
			}})
			if err == nil && len(ctrs.GetContainers()) != 1 {
				err = fmt.Errorf("%d running containers in the pod, want 1", len(ctrs.GetContainers()))
			}
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The harness's own connection reconnects by itself; allow it
			// its backoff.
			err := testutil.Poll(10*time.Second, 50*time.Millisecond, func() (bool, error) {
				ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
				defer cancel()
				err := tc.check(ctx)
				return err == nil, err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
}

// TestCritestDirect runs critest v1.30.0 against containerd directly: the
// baseline the forwarding tests compare with. It takes minutes; run it with
// go test -run TestCritestDirect -timeout 20m.
func TestCritestDirect(t *testing.T) {
	if testing.Short() {
		t.Skip("critest takes minutes; not in -short mode")
	}
	env := Start(t)
	res := RunCritest(t, env.Tools, env.Containerd.Endpoint())
	t.Logf("critest direct: %d of %d specs passed (%d skipped)", len(res.Passed), res.Ran(), len(res.Skipped))
	for _, name := range res.Failed {
		t.Logf("  failed: %s: %s", name, firstLines(res.Failures[name], 3))
	}
	if len(res.Passed) == 0 {
		t.Fatalf("no critest spec passed; output in %s:\n%s", res.Output, fileTail(res.Output, 40))
	}
}

// runBusyboxPod pulls image and starts a pod with one busybox container running sleep 3600
// and returns the pod's id.
func runBusyboxPod(t *testing.T, rt runtimeapi.RuntimeServiceClient, im runtimeapi.ImageServiceClient, image string, n int, network runtimeapi.NamespaceMode) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if _, err := im.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: image}}); err != nil {
		t.Fatalf("PullImage %s: %v", image, err)
	}
	meta := &runtimeapi.PodSandboxMetadata{
		Name: "harness-pod", Namespace: "harness", Uid: "harness-uid-" + string(rune('a'+n)), Attempt: 0,
	}
	podCfg := &runtimeapi.PodSandboxConfig{
		Metadata:     meta,
		LogDirectory: t.TempDir(),
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
				NamespaceOptions: &runtimeapi.NamespaceOption{Network: network},
			},
		},
	}
	if network != runtimeapi.NamespaceMode_NODE {
		podCfg.Hostname = "harness" // runc refuses a hostname without a private UTS namespace
	}
	pod, err := rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: podCfg})
	if err != nil {
		t.Fatalf("RunPodSandbox: %v", err)
	}
	ctr, err := rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{
		PodSandboxId: pod.GetPodSandboxId(),
		Config: &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: "sleeper"},
			// kubelet names the image as the pod spec did; CRI-O, with a
			// signature policy set, refuses a container without it.
			Image:   &runtimeapi.ImageSpec{Image: image, UserSpecifiedImage: image},
			Command: []string{"sleep", "3600"},
			LogPath: "sleeper.log",
		},
		SandboxConfig: podCfg,
	})
	if err != nil {
		t.Fatalf("CreateContainer: %v", err)
	}
	if _, err := rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ctr.GetContainerId()}); err != nil {
		t.Fatalf("StartContainer: %v", err)
	}
	return pod.GetPodSandboxId()
}

// firstLines returns up to n lines of s, joined by " | ".
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[:min(n, len(lines))], " | ")
}
