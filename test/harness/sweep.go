package harness

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// rootPrefix names containerd roots the harness creates under os.TempDir;
// the sweeper only ever looks at directories with this prefix.
const rootPrefix = "crio-trace-ctd-"

// lockName is a file each root holds an exclusive flock on while its test
// runs. The kernel drops the lock when the test process dies, so a root
// whose lock can be taken belongs to a test that ended without cleaning up
// (killed by go test's -timeout, say).
const lockName = "lock"

// lockRoot creates and locks root's lock file. The returned file keeps the
// lock until closed.
func lockRoot(root string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(root, lockName), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %q: %w", root, err)
	}
	return f, nil
}

// sweepStale removes what earlier test processes left behind: for every
// harness root (containerd's or CRI-O's) whose lock is free, it kills the
// processes under it, unmounts what is mounted under it, removes what the
// runtime left outside it, and deletes it. It returns the roots it swept.
func sweepStale() ([]string, error) {
	var swept []string
	var errs []error
	for _, kind := range []struct {
		prefix string
		// clean removes what a runtime with this root left outside it.
		clean func(root string) error
	}{
		{rootPrefix, func(root string) error {
			return errors.Join(
				(&Containerd{root: root, socket: filepath.Join(root, socketName)}).removeShimSockets(),
				removeHostLeftovers(root, containerdLogName, hostSnapshot{}))
		}},
		{crioRootPrefix, func(root string) error { return removeHostLeftovers(root, crioLogName, hostSnapshot{}) }},
	} {
		matches, err := filepath.Glob(filepath.Join(os.TempDir(), kind.prefix+"*"))
		if err != nil {
			return nil, err
		}
		for _, root := range matches {
			lock, err := lockRoot(root)
			if errors.Is(err, syscall.EWOULDBLOCK) {
				continue // a live test owns it
			}
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
				continue
			}
			killUnder(root)
			if err := kind.clean(root); err != nil {
				errs = append(errs, err)
			}
			if err := unmountUnder(root); err != nil {
				errs = append(errs, err)
			}
			if err := os.RemoveAll(root); err != nil {
				errs = append(errs, err)
			} else {
				swept = append(swept, root)
			}
			if lock != nil {
				lock.Close()
			}
		}
	}
	return swept, errors.Join(errs...)
}

// liveRoots counts the harness roots of prefix other than self that a
// running test holds: their lock is taken, or they have no lock file yet
// (being set up).
func liveRoots(prefix, self string) int {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	n := 0
	for _, root := range matches {
		if root == self {
			continue
		}
		f, err := os.OpenFile(filepath.Join(root, lockName), os.O_RDWR, 0)
		if err != nil {
			n++
			continue
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); errors.Is(err, syscall.EWOULDBLOCK) {
			n++
		}
		f.Close()
	}
	return n
}

// shimSocketDir is where containerd 1.6 shims put their sockets, whatever
// containerd's own root and state are.
const shimSocketDir = "/run/containerd/s"

// removeShimSockets removes the sockets of this containerd's shims, which a
// killed shim leaves behind. containerd names each one after the SHA-256 of
// its own socket path, the namespace and the shim's id; the ids are the task
// directories under state.
func (c *Containerd) removeShimSockets() error {
	tasks, err := filepath.Glob(filepath.Join(c.root, "state", "io.containerd.runtime.v2.task", "*", "*"))
	if err != nil {
		return err
	}
	var errs []error
	for _, dir := range tasks {
		ns, id := filepath.Base(filepath.Dir(dir)), filepath.Base(dir)
		sum := sha256.Sum256([]byte(filepath.Join(c.socket, ns, id)))
		p := filepath.Join(shimSocketDir, hex.EncodeToString(sum[:]))
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("removing shim socket of %q: %w", id, err))
		}
	}
	return errors.Join(errs...)
}
