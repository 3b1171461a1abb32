package harness

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCgroupID(t *testing.T) {
	id := strings.Repeat("ab12", 16)
	tests := []struct {
		name, dir, want string
	}{
		{name: "container", dir: "crio-" + id, want: id},
		{name: "conmon", dir: "crio-conmon-" + id, want: id},
		{name: "systemd scope", dir: "crio-" + id + ".scope", want: id},
		{name: "bare id", dir: id, want: id},
		{name: "parent", dir: "crio", want: ""},
		{name: "short id", dir: "crio-ab12", want: ""},
		{name: "other name", dir: "kubepods", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cgroupID(tc.dir); got != tc.want {
				t.Errorf("cgroupID(%q) = %q, want %q", tc.dir, got, tc.want)
			}
		})
	}
}

// TestSweepCrioRoot leaves behind what a killed test leaves of CRI-O — a
// root whose log names a container id, and a process in a cgroup named
// after it that runs outside the root (as a container in its own mount
// namespace does) — and checks that the sweep kills the process and
// removes the cgroup and the root.
func TestSweepCrioRoot(t *testing.T) {
	RequireRoot(t)
	id := fmt.Sprintf("%064x", time.Now().UnixNano())
	root, err := os.MkdirTemp("", crioRootPrefix+"sweeptest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	log := fmt.Sprintf("time=\"x\" level=info msg=\"Created container %s: harness/pod/ctr\"\n", id)
	if err := os.WriteFile(filepath.Join(root, crioLogName), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	mounts := cgroupMounts()
	var pidsMnt string
	for _, m := range mounts {
		if filepath.Base(m) == "pids" || filepath.Base(m) == "unified" {
			pidsMnt = m
			break
		}
	}
	if pidsMnt == "" {
		t.Fatalf("no pids or unified cgroup hierarchy among %q", mounts)
	}
	cg := filepath.Join(pidsMnt, "crio-"+id)
	if err := os.Mkdir(cg, 0o755); err != nil {
		t.Fatalf("creating cgroup: %v", err)
	}
	t.Cleanup(func() { _ = os.Remove(cg) })
	cmd := exec.Command("sleep", "3600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-waited
	})
	if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(fmt.Sprint(cmd.Process.Pid)), 0o644); err != nil {
		t.Fatalf("moving the process into %s: %v", cg, err)
	}

	swept, err := sweepStale()
	if err != nil {
		t.Fatalf("sweepStale: %v", err)
	}
	if !slices.Contains(swept, root) {
		t.Errorf("swept %q, want %s among them", swept, root)
	}
	select {
	case err := <-waited:
		if err == nil {
			t.Error("the process exited 0, want it killed")
		}
		waited <- err // for the cleanup
	case <-time.After(10 * time.Second):
		t.Error("the process in the run's cgroup still runs after the sweep")
	}
	if _, err := os.Stat(cg); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cgroup %s still exists (stat: %v)", cg, err)
	}
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("root %s still exists (stat: %v)", root, err)
	}
}
