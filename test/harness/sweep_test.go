package harness

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestSweepStale(t *testing.T) {
	tests := []struct {
		name      string
		held      bool // a live test holds the root's lock
		mount     bool // a tmpfs is mounted under the root (needs root)
		process   bool // a process names the root on its command line
		wantSwept bool
	}{
		{name: "abandoned root is removed", wantSwept: true},
		{name: "locked root is left alone", held: true, wantSwept: false},
		{name: "mount under an abandoned root is unmounted", mount: true, wantSwept: true},
		{name: "process under an abandoned root is killed", process: true, wantSwept: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.mount && os.Geteuid() != 0 {
				t.Skip("mounting needs root")
			}
			root, err := os.MkdirTemp("", rootPrefix+"sweeptest-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_ = unmountUnder(root)
				os.RemoveAll(root)
			})
			if err := os.MkdirAll(filepath.Join(root, "state", "shm"), 0o755); err != nil {
				t.Fatal(err)
			}
			lock, err := lockRoot(root)
			if err != nil {
				t.Fatal(err)
			}
			if tc.held {
				t.Cleanup(func() { lock.Close() })
			} else {
				lock.Close()
			}
			if tc.mount {
				if err := syscall.Mount("tmpfs", filepath.Join(root, "state", "shm"), "tmpfs", 0, "size=1m"); err != nil {
					t.Fatalf("mounting tmpfs: %v", err)
				}
			}
			var waited chan error
			if tc.process {
				cmd := exec.Command("sh", "-c", "sleep 3600", filepath.Join(root, "marker"))
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				waited = make(chan error, 1)
				go func() { waited <- cmd.Wait() }()
				t.Cleanup(func() {
					_ = cmd.Process.Kill()
					<-waited
				})
			}

			swept, err := sweepStale()
			if err != nil {
				t.Fatalf("sweepStale: %v", err)
			}
			if got := slices.Contains(swept, root); got != tc.wantSwept {
				t.Fatalf("swept %q; want %s swept: %v", swept, root, tc.wantSwept)
			}
			_, statErr := os.Stat(root)
			if gone := errors.Is(statErr, os.ErrNotExist); gone != tc.wantSwept {
				t.Errorf("%s gone = %v, want %v", root, gone, tc.wantSwept)
			}
			if points, _ := mountsUnder(root); tc.wantSwept && len(points) > 0 {
				t.Errorf("mounts left under %s: %q", root, points)
			}
			if tc.process {
				select {
				case err := <-waited:
					if err == nil {
						t.Error("process exited 0, want it killed")
					}
					waited <- err // for the cleanup
				case <-time.After(10 * time.Second):
					t.Error("process under the swept root still runs after 10s")
				}
			}
		})
	}
}
