package systems_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/test/harness"
)

// nodeNamespace is the private mount namespace a node's programs share:
// the runtime (containerd or CRI-O, with their shims, monitors and containers) and kubelet, as on a real
// node, so that what kubelet mounts for a pod (the service-account token
// and config-map volumes of a pod from the API server) is what the runtime
// bind-mounts into the pod's containers. Inside, the sysctls kubelet sets
// are bind-mounted from files that already hold the values it wants, and
// /var/lib and /var/log are bound to temporary directories, so neither
// program changes the host; every mount made inside vanishes with the
// namespace. A holder process (sleep) keeps the namespace alive; programs
// enter it with nsenter.
type nodeNamespace struct {
	holder  *harness.Process
	nsenter string
}

// startNodeNamespace creates the namespace and waits until its mounts are
// in place. It is stopped, and its mounts vanish, when t ends — after
// everything started later in it, since cleanups run in reverse.
func startNodeNamespace(t *testing.T, st systemTools) nodeNamespace {
	t.Helper()
	dir := t.TempDir()
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatalf("creating %s: %v", p, err)
		}
		return p
	}
	var script strings.Builder
	script.WriteString("set -e\n")
	sysctlDir := mk("sysctl")
	for key, value := range kubeletSysctls {
		f := filepath.Join(sysctlDir, strings.ReplaceAll(key, "/", "."))
		if err := os.WriteFile(f, []byte(value+"\n"), 0o644); err != nil {
			t.Fatalf("writing %s: %v", f, err)
		}
		fmt.Fprintf(&script, "%s --bind %s /proc/sys/%s\n", st.Mount, strconv.Quote(f), key)
	}
	// This machine's kernel lists the hugetlb controller in /proc/cgroups
	// but has no cgroup v1 hierarchy mounted for it. CRI-O goes by
	// /proc/cgroups (internal/config/node/cgroups_linux.go) and hands
	// kubelet's hugepage limits to runc, which then cannot create the
	// container ("cannot set hugetlb limit"). Kubelet sends a limit per
	// page size it finds under /sys/kernel/mm/hugepages; an empty directory
	// there makes it send none, as on a node without huge pages.
	fmt.Fprintf(&script, "%s --bind %s /sys/kernel/mm/hugepages\n", st.Mount, strconv.Quote(mk("no-hugepages")))
	fmt.Fprintf(&script, "%s --bind %s /var/lib\n", st.Mount, strconv.Quote(mk("var-lib")))
	fmt.Fprintf(&script, "%s --bind %s /var/log\n", st.Mount, strconv.Quote(mk("var-log")))
	ready := filepath.Join(dir, "ready")
	fmt.Fprintf(&script, "touch %s\nexec sleep infinity\n", strconv.Quote(ready))

	// unshare without --fork execs sh, which execs sleep: one pid.
	p := start(t, "node-namespace", filepath.Join(dir, "holder.log"), []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
		st.Unshare, "--mount", "--propagation", "private", "sh", "-c", script.String())
	if err := waitFor(t.Context(), p, "the node namespace's mounts", 30*time.Second, 20*time.Millisecond, func() (bool, error) {
		_, err := os.Stat(ready)
		return err == nil, err
	}); err != nil {
		t.Fatal(err)
	}
	return nodeNamespace{holder: p, nsenter: st.Nsenter}
}

// enter is the command prefix that runs a program inside the namespace.
// nsenter entering only a mount namespace execs the program: the pid
// started is the program's.
func (n nodeNamespace) enter() []string {
	return []string{n.nsenter, fmt.Sprintf("--mount=/proc/%d/ns/mnt", n.holder.Pid()), "--"}
}
