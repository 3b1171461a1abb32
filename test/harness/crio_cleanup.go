package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// cleanup tears a Crio down: pods and containers through CRI (so conmon and
// the containers exit), then CRI-O itself, then anything left that it
// started (found by its root path), then mounts under the root, then what
// it left on the host for this run, then the root. Every step runs even
// when an earlier one fails.
func (c *Crio) cleanup(t testing.TB) {
	if c.proc != nil {
		if c.stopped {
			t.Logf("CRI-O was stopped by the test; removing its leftovers without it")
		} else if err := c.removeAll(context.Background()); err != nil {
			t.Errorf("removing pods and containers: %v", err)
		}
		if stacks, err := stopCrio(c.proc, crioStopGrace); err != nil {
			c.reportStopHang(t, err, stacks)
		}
		if t.Failed() {
			t.Logf("CRI-O log %s (tail):\n%s", c.LogPath(), c.proc.Tail(60))
		}
	}
	if pids := killUnder(c.root); len(pids) > 0 {
		if c.stopped {
			// conmon and containers outlive a stopped CRI-O by design.
			t.Logf("killed processes the stopped CRI-O left under %s: %v", c.root, pids)
		} else {
			t.Errorf("killed processes left under %s: %v", c.root, pids)
		}
	}
	if err := unmountUnder(c.root); err != nil {
		t.Errorf("unmounting under %s: %v", c.root, err)
	}
	if err := removeHostLeftovers(c.root, crioLogName, c.host); err != nil {
		t.Errorf("removing what CRI-O left on the host: %v", err)
	}
	if err := os.RemoveAll(c.root); err != nil {
		t.Errorf("removing %s: %v", c.root, err)
	}
	if c.lock != nil {
		c.lock.Close()
	}
}

// warningMark starts a log line of a passing test that make test prints
// anyway (hack/skipreport's warningMark, which it must equal).
const warningMark = "!!! WARNING"

// reportStopHang reports a CRI-O that had to be stopped by force during
// cleanup. For crio-kit it is a failure: its shutdown is the port's code.
// For upstream CRI-O it is a warning that make test prints (see
// hack/skipreport): its shutdown is not what the harness tests (TestCleanup
// checks what the cleanup leaves, and still does), and stock v1.34.0 was
// seen, rarely, to hang there (once in CI on 2026-12-02). The stacks say
// where, for a report upstream.
func (c *Crio) reportStopHang(t testing.TB, err error, stacks string) {
	if !c.stock {
		t.Errorf("stopping crio-kit: %v\n%s", err, stacks)
		return
	}
	t.Logf(warningMark+": upstream CRI-O's own shutdown hung, the cleanup went on without it: %v (its threads and goroutines follow)\n%s", err, stacks)
}

// Places outside their roots where the runtimes write whatever their
// configuration says (measured): containers/image's blob info cache for
// root (CRI-O; containers/image pkg/blobinfocache/default.go), libcni's
// cache of CNI results (both: neither passes a cache directory to libcni),
// and the directory of containerd 1.6's shim sockets.
const (
	blobInfoCache  = "/var/lib/containers/cache/blob-info-cache-v1.sqlite"
	cniResultsDir  = "/var/lib/cni/results"
	crioCgroupBase = "crio" // CRI-O's default cgroupfs parent, /crio
)

// sharedPath is a shared file or directory on the host that a run may
// create, with the harness roots (by prefix) whose runtimes write it.
type sharedPath struct {
	path   string
	owners []string
}

// sharedPaths are the shared places a run may create, deepest first:
// cleanup removes the ones that did not exist before, once no other
// harness runtime that writes them runs.
func sharedPaths() []sharedPath {
	crio, ctd, both := []string{crioRootPrefix}, []string{rootPrefix}, []string{crioRootPrefix, rootPrefix}
	out := []sharedPath{
		{blobInfoCache, crio}, {blobInfoCache + "-shm", crio}, {blobInfoCache + "-wal", crio},
		{filepath.Dir(blobInfoCache), crio}, {filepath.Dir(filepath.Dir(blobInfoCache)), crio},
		{cniResultsDir, both}, {filepath.Dir(cniResultsDir), both},
		{shimSocketDir, ctd}, {filepath.Dir(shimSocketDir), ctd},
	}
	for _, p := range cgroupParents() {
		out = append(out, sharedPath{p, crio})
	}
	return out
}

// crioLogName is CRI-O's log file in its root.
const crioLogName = "crio.log"

// hostSnapshot records which shared host paths existed before a CRI-O
// started. The zero value (known false) knows nothing: cleanup then removes
// only what belongs to the run's own pods.
type hostSnapshot struct {
	known   bool
	existed map[string]bool
}

// snapshotHost records which of sharedPaths exist now.
func snapshotHost() hostSnapshot {
	s := hostSnapshot{known: true, existed: map[string]bool{}}
	for _, p := range sharedPaths() {
		if _, err := os.Lstat(p.path); err == nil {
			s.existed[p.path] = true
		}
	}
	return s
}

// idPattern matches CRI-O's 64-hex pod and container ids.
var idPattern = regexp.MustCompile(`\b[0-9a-f]{64}\b`)

// runIDs returns the pod and container ids a runtime logged in its log
// file logName under root: both runtimes log the id of every pod and
// container they create at level info.
func runIDs(root, logName string) (map[string]bool, error) {
	f, err := os.Open(filepath.Join(root, logName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ids := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		for _, id := range idPattern.FindAllString(sc.Text(), -1) {
			ids[id] = true
		}
	}
	return ids, sc.Err()
}

// removeHostLeftovers removes what the runtime with its root at root (and
// its log in logName there) left on the host: the cgroups and CNI results
// of its own pods and containers, and each shared path (CRI-O's default
// cgroup parent among them) that snap says was not there before, unless
// another harness runtime that writes it is running.
func removeHostLeftovers(root, logName string, snap hostSnapshot) error {
	ids, err := runIDs(root, logName)
	if err != nil {
		return fmt.Errorf("reading the ids of this run from %s: %w", logName, err)
	}
	var errs []error
	errs = append(errs, removeRunCgroups(ids)...)
	errs = append(errs, removeCNIResults(ids)...)
	if snap.known {
		for _, sp := range sharedPaths() {
			p := sp.path
			if snap.existed[p] || liveOwners(sp.owners, root) {
				continue
			}
			// rmdir/unlink: a directory someone else filled stays.
			if err := syscall.Rmdir(p); err == nil || errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EBUSY) {
				continue
			} else if errors.Is(err, syscall.ENOTDIR) {
				if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
					errs = append(errs, err)
				}
			} else {
				errs = append(errs, fmt.Errorf("removing %s: %w", p, err))
			}
		}
	}
	return errors.Join(errs...)
}

// liveOwners reports whether a harness root of one of the prefixes, other
// than self, belongs to a running test.
func liveOwners(prefixes []string, self string) bool {
	for _, prefix := range prefixes {
		if liveRoots(prefix, self) > 0 {
			return true
		}
	}
	return false
}

// removeRunCgroups removes, in every cgroup hierarchy, the cgroups named
// after the ids (CRI-O's crio-<id> and crio-conmon-<id>, or the bare id),
// deepest first. Processes still in them — containers of a runtime that was
// killed, which run in mount namespaces of their own and so escape
// killUnder — get SIGKILL first: they belong to this run's pods.
func removeRunCgroups(ids map[string]bool) []error {
	if len(ids) == 0 {
		return nil
	}
	var dirs []string
	for _, mnt := range cgroupMounts() {
		_ = filepath.WalkDir(mnt, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() && ids[cgroupID(d.Name())] {
				dirs = append(dirs, p)
			}
			return nil
		})
	}
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
	var errs []error
	for _, d := range dirs {
		killCgroup(d)
		// A cgroup may need a moment after its last process exits.
		err := testutil.Poll(5*time.Second, 50*time.Millisecond, func() (bool, error) {
			err := syscall.Rmdir(d)
			return err == nil || errors.Is(err, syscall.ENOENT), err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("removing cgroup %s: %w", d, err))
		}
	}
	return errs
}

// cgroupID returns the pod or container id a cgroup directory is named
// after, or "".
func cgroupID(name string) string {
	name = strings.TrimSuffix(name, ".scope")
	name = strings.TrimPrefix(strings.TrimPrefix(name, "crio-"), "conmon-")
	if idPattern.MatchString(name) && len(name) == 64 {
		return name
	}
	return ""
}

// killCgroup sends SIGKILL to every process in the cgroup directory dir.
func killCgroup(dir string) {
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 1 && pid != os.Getpid() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// removeCNIResults removes libcni's cached results for the ids.
func removeCNIResults(ids map[string]bool) []error {
	entries, err := os.ReadDir(cniResultsDir)
	if err != nil {
		return nil
	}
	var errs []error
	for _, e := range entries {
		for _, id := range idPattern.FindAllString(strings.ReplaceAll(e.Name(), "-", " "), -1) {
			if ids[id] {
				if err := os.Remove(filepath.Join(cniResultsDir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
					errs = append(errs, err)
				}
				break
			}
		}
	}
	return errs
}

// cgroupParents are CRI-O's default cgroupfs parent in every hierarchy.
func cgroupParents() []string {
	var out []string
	for _, mnt := range cgroupMounts() {
		out = append(out, filepath.Join(mnt, crioCgroupBase))
	}
	return out
}

// cgroupMounts lists the mount points of cgroup (v1) and cgroup2
// hierarchies.
func cgroupMounts() []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// The filesystem type follows the " - " separator.
		line := sc.Text()
		_, after, ok := strings.Cut(line, " - ")
		fields := strings.Fields(line)
		if !ok || len(fields) < 5 {
			continue
		}
		if fs := strings.Fields(after); len(fs) > 0 && (fs[0] == "cgroup" || fs[0] == "cgroup2") {
			out = append(out, unescapeMountPath(fields[4]))
		}
	}
	return out
}
