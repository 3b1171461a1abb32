package systems_test

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// hostState is what a run must leave as it found it.
type hostState struct {
	sysctls map[string]string
	mounts  map[string]bool
	tables  string // /proc/net/ip{,6}_tables_names: iptables tables in use
	// criCgroups are the /sys/fs/cgroup/*/k8s.io directories: containerd's
	// CRI plugin puts pods there when kubelet gives no cgroup parent
	// (cgroupsPerQOS false), and runc leaves the parent behind.
	criCgroups map[string]bool
}

// criCgroupGlob matches the cgroup parent containerd's CRI plugin uses.
const criCgroupGlob = "/sys/fs/cgroup/*/k8s.io"

// watchedSysctls are the kubelet's plus settings a node agent commonly
// touches.
func watchedSysctls() []string {
	keys := []string{"net/ipv4/ip_forward", "net/ipv4/conf/all/route_localnet", "kernel/pid_max",
		"fs/inotify/max_user_watches", "fs/inotify/max_user_instances", "vm/max_map_count"}
	for k := range kubeletSysctls {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// snapshotHost reads the state of the host's mount namespace.
func snapshotHost(t *testing.T) hostState {
	t.Helper()
	s := hostState{sysctls: map[string]string{}, mounts: map[string]bool{}, criCgroups: map[string]bool{}}
	dirs, _ := filepath.Glob(criCgroupGlob)
	for _, d := range dirs {
		s.criCgroups[d] = true
	}
	for _, k := range watchedSysctls() {
		if b, err := os.ReadFile("/proc/sys/" + k); err == nil {
			s.sysctls[k] = strings.TrimSpace(string(b))
		}
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatalf("reading mounts: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 4 {
			s.mounts[fields[4]] = true
		}
	}
	for _, p := range []string{"/proc/net/ip_tables_names", "/proc/net/ip6_tables_names"} {
		b, _ := os.ReadFile(p)
		s.tables += p + ":" + strings.TrimSpace(string(b)) + ";"
	}
	return s
}

// checkHost compares the host with the snapshot taken before the run.
// Mounts are compared only under the run's own directories and the paths
// the kubelet binds in its namespace: other tests may mount elsewhere.
func checkHost(t *testing.T, before hostState, ownDirs []string) {
	t.Helper()
	after := snapshotHost(t)
	for k, v := range before.sysctls {
		if after.sysctls[k] != v {
			t.Errorf("sysctl %s changed: %q -> %q", k, v, after.sysctls[k])
		}
	}
	watched := append([]string{"/var/lib", "/var/log"}, ownDirs...)
	for k := range kubeletSysctls {
		watched = append(watched, "/proc/sys/"+k)
	}
	for m := range after.mounts {
		if before.mounts[m] {
			continue
		}
		for _, w := range watched {
			if m == w || strings.HasPrefix(m, w+"/") {
				t.Errorf("mount %s left on the host", m)
			}
		}
	}
	if after.tables != before.tables {
		t.Errorf("iptables tables changed: %s -> %s", before.tables, after.tables)
	}
}

// removeCgroups finds cgroup directories under /sys/fs/cgroup/*/ named
// after the run's pods and containers, removes them (deepest first) and
// reports what it removed; runc removes a container's cgroup when it is
// deleted, so this catches what a killed shim leaves. Then it removes the
// k8s.io parents the run created. A parent another runtime on the machine
// still uses is not empty and stays, with a log line.
func removeCgroups(t *testing.T, ids []string, before hostState) {
	t.Helper()
	defer removeCRIParents(t, before)
	if len(ids) == 0 {
		return
	}
	var found []string
	_ = filepath.WalkDir("/sys/fs/cgroup", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if strings.Count(strings.TrimPrefix(p, "/sys/fs/cgroup/"), "/") > 4 {
			return filepath.SkipDir
		}
		for _, id := range ids {
			if strings.Contains(d.Name(), id) {
				found = append(found, p)
				return filepath.SkipDir
			}
		}
		return nil
	})
	if len(found) == 0 {
		return
	}
	// Children before parents.
	slices.SortFunc(found, func(a, b string) int { return len(b) - len(a) })
	var left []string
	for _, p := range found {
		if err := syscall.Rmdir(p); err != nil {
			left = append(left, fmt.Sprintf("%s (%v)", p, err))
		}
	}
	t.Logf("removed %d cgroup(s) the run's containers left: %q", len(found)-len(left), found)
	if len(left) > 0 {
		t.Errorf("cgroups of the run could not be removed: %q", left)
	}
}

// leftoverProcesses lists processes whose command line names one of marks
// (the run's binaries and directories).
func leftoverProcesses(marks []string) []string {
	entries, _ := os.ReadDir("/proc")
	self := fmt.Sprint(os.Getpid())
	var out []string
	for _, e := range entries {
		if e.Name() == self || e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || len(b) == 0 {
			continue
		}
		cmd := strings.ReplaceAll(string(b), "\x00", " ")
		for _, m := range marks {
			if m != "" && strings.Contains(cmd, m) {
				out = append(out, e.Name()+": "+cmd)
				break
			}
		}
	}
	return out
}

// removeCRIParents removes the k8s.io cgroup parents that did not exist
// before the run.
func removeCRIParents(t *testing.T, before hostState) {
	t.Helper()
	dirs, _ := filepath.Glob(criCgroupGlob)
	var removed, busy []string
	for _, d := range dirs {
		if before.criCgroups[d] {
			continue
		}
		if err := syscall.Rmdir(d); err != nil {
			busy = append(busy, fmt.Sprintf("%s (%v)", d, err))
			continue
		}
		removed = append(removed, d)
	}
	if len(removed) > 0 {
		t.Logf("removed the cgroup parents the run created: %q", removed)
	}
	if len(busy) > 0 {
		t.Logf("cgroup parents the run created are in use by another runtime on the machine, left to it: %q", busy)
	}
}
