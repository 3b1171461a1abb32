package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// cleanup tears a Containerd down: pods and containers through CRI (so the
// shims and runc exit), then containerd itself, then anything left that the
// harness started (found by its root path), then mounts under the root,
// then what it left on the host for this run (see removeHostLeftovers),
// then the root. Every step runs even when an earlier one fails.
func (c *Containerd) cleanup(t testing.TB) {
	if c.proc != nil {
		if c.stopped {
			t.Logf("containerd was stopped by the test; removing its leftovers without it")
		} else if err := removeAllPods(context.Background(), c.Endpoint(), time.Minute); err != nil {
			t.Errorf("removing pods and containers: %v", err)
		}
		if err := c.proc.Stop(15 * time.Second); err != nil {
			t.Errorf("stopping containerd: %v", err)
		}
		if t.Failed() {
			t.Logf("containerd log %s (tail):\n%s", c.LogPath(), c.proc.Tail(60))
		}
	}
	if pids := c.killLeftovers(); len(pids) > 0 {
		if c.stopped {
			// Shims and containers outlive a stopped containerd by design.
			t.Logf("killed processes the stopped containerd left under %s: %v", c.root, pids)
		} else {
			t.Errorf("killed processes left under %s: %v", c.root, pids)
		}
	}
	if err := c.removeShimSockets(); err != nil {
		t.Errorf("%v", err)
	}
	if err := unmountUnder(c.root); err != nil {
		t.Errorf("unmounting under %s: %v", c.root, err)
	}
	if err := removeHostLeftovers(c.root, containerdLogName, c.host); err != nil {
		t.Errorf("removing what containerd left on the host: %v", err)
	}
	if err := os.RemoveAll(c.root); err != nil {
		t.Errorf("removing %s: %v", c.root, err)
	}
	if c.lock != nil {
		c.lock.Close()
	}
}

// removeAllPods stops and removes every container and pod sandbox of the
// runtime at endpoint.
func removeAllPods(ctx context.Context, endpoint string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := dialCRI(endpoint)
	if err != nil {
		return err
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)

	var errs []error
	ctrs, err := rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
	if err != nil {
		return fmt.Errorf("listing containers: %w", err)
	}
	for _, ctr := range ctrs.GetContainers() {
		id := ctr.GetId()
		if _, err := rt.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: id, Timeout: 0}); err != nil {
			errs = append(errs, fmt.Errorf("stopping container %q: %w", id, err))
		}
		if _, err := rt.RemoveContainer(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: id}); err != nil {
			errs = append(errs, fmt.Errorf("removing container %q: %w", id, err))
		}
	}
	pods, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("listing pod sandboxes: %w", err))...)
	}
	for _, pod := range pods.GetItems() {
		id := pod.GetId()
		if _, err := rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: id}); err != nil {
			errs = append(errs, fmt.Errorf("stopping pod sandbox %q: %w", id, err))
		}
		if _, err := rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: id}); err != nil {
			errs = append(errs, fmt.Errorf("removing pod sandbox %q: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// killLeftovers SIGKILLs processes this containerd started that outlived
// it; see killUnder.
func (c *Containerd) killLeftovers() []int { return killUnder(c.root) }

// killUnder SIGKILLs the processes a runtime with its root at root started
// that outlived it: shims, conmon and runc (their command lines name the
// root) and container processes (their root directory is a rootfs under
// it). It returns their pids; a clean teardown leaves none.
func killUnder(root string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	prefix := root + "/"
	self := os.Getpid()
	var killed []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		fsRoot, _ := os.Readlink(filepath.Join("/proc", e.Name(), "root"))
		if strings.Contains(string(cmdline), prefix) || strings.HasPrefix(fsRoot, prefix) {
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed = append(killed, pid)
			}
		}
	}
	return killed
}

// unmountUnder lazily unmounts every mount point below dir, deepest first.
func unmountUnder(dir string) error {
	points, err := mountsUnder(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range points {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) {
			errs = append(errs, fmt.Errorf("unmounting %q: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// mountsUnder lists the mount points below dir, longest path first.
func mountsUnder(dir string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	prefix := strings.TrimSuffix(filepath.Clean(dir), "/") + "/"
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// Field 5 is the mount point, with spaces escaped as \040.
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		p := unescapeMountPath(fields[4])
		if strings.HasPrefix(p, prefix) {
			points = append(points, p)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading mountinfo: %w", err)
	}
	sort.Slice(points, func(i, j int) bool { return len(points[i]) > len(points[j]) })
	return points, nil
}

// unescapeMountPath undoes mountinfo's octal escapes (\040 and friends).
func unescapeMountPath(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
