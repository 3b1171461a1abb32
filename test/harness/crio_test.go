package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// hostState describes the shared places on the host a runtime may write
// to outside its root: which of sharedPaths exist (CRI-O's default cgroup
// parents among them), the entries of libcni's results cache, and every
// cgroup named crio-*. Equal strings mean the host looks the same there.
func hostState(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, p := range sharedPaths() {
		if _, err := os.Lstat(p.path); err == nil {
			fmt.Fprintf(&b, "exists %s\n", p.path)
		}
	}
	entries, _ := os.ReadDir(cniResultsDir)
	for _, e := range entries {
		fmt.Fprintf(&b, "cni result %s\n", e.Name())
	}
	var cgroups []string
	for _, mnt := range cgroupMounts() {
		_ = filepath.WalkDir(mnt, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() && strings.HasPrefix(d.Name(), "crio-") {
				cgroups = append(cgroups, p)
			}
			return nil
		})
	}
	slices.Sort(cgroups)
	for _, c := range cgroups {
		fmt.Fprintf(&b, "cgroup %s\n", c)
	}
	return b.String()
}

// TestCrioCrictl runs one pod's life with crictl — pull, runp, create,
// start, exec, logs, stop, rm, stopp, rmp — on stock CRI-O, and on crio-kit
// (CRI-O with crio-trace's kit ported in by hack/crio-port) with its
// tracing on: there the SERVER spans of runp, create and start must reach
// the collector with the pod's attributes. On both it checks that the infra
// container runs with the oom_score_adj hack/runc-oom raised it to.
func TestCrioCrictl(t *testing.T) {
	RequireRoot(t)
	t.Run("stock", func(t *testing.T) { crictlLifecycle(t, StartWithCrio(t, CrioOptions{}), nil) })
	t.Run("with the kit", func(t *testing.T) {
		recv, err := otlpreceiver.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(recv.Stop)
		env := StartWithCrio(t, CrioOptions{Binary: CrioKit(t, FindTools(t)), Tracing: recv.Addr()})
		crictlLifecycle(t, env, recv)
	})
}

// crictlLifecycle runs the pod's life with crictl on env's CRI-O; with recv,
// it also checks the spans CRI-O sent it.
func crictlLifecycle(t *testing.T, env *Env, recv *otlpreceiver.Receiver) {
	ep := env.Crio.Endpoint()
	dir := t.TempDir()
	podJSON := testutil.WriteJSON(t, dir, "pod.json", map[string]any{
		"metadata":      map[string]any{"name": "crictl-pod", "namespace": "harness", "uid": "crictl-pod-uid"},
		"log_directory": dir,
		"linux":         map[string]any{"security_context": map[string]any{"namespace_options": map[string]any{"network": 2}}},
	})
	ctrJSON := testutil.WriteJSON(t, dir, "ctr.json", map[string]any{
		"metadata": map[string]any{"name": "talker"},
		"image":    map[string]any{"image": env.BusyboxImage},
		"command":  []string{"sh", "-c", "echo hello from crio; exec sleep 3600"},
		"log_path": "talker.log",
	})
	crictl := func(t *testing.T, args ...string) string {
		t.Helper()
		out, err := Crictl(t, env.Tools, ep, args...)
		if err != nil {
			t.Fatalf("crictl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}

	start := time.Now()
	var pod, ctr string
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{name: "pull", run: func(t *testing.T) { crictl(t, "pull", env.BusyboxImage) }},
		{name: "runp", run: func(t *testing.T) { pod = crictl(t, "runp", podJSON) }},
		{name: "infra container oom_score_adj raised", run: func(t *testing.T) { checkInfraOOM(t, env, pod) }},
		{name: "create", run: func(t *testing.T) { ctr = crictl(t, "create", pod, ctrJSON, podJSON) }},
		{name: "start", run: func(t *testing.T) { crictl(t, "start", ctr) }},
		{name: "exec", run: func(t *testing.T) {
			if got := crictl(t, "exec", "-s", ctr, "echo", "hi"); got != "hi" {
				t.Errorf("exec echo hi printed %q", got)
			}
		}},
		{name: "logs", run: func(t *testing.T) {
			err := testutil.Poll(10*time.Second, 50*time.Millisecond, func() (bool, error) {
				out, err := Crictl(t, env.Tools, ep, "logs", ctr)
				return strings.Contains(string(out), "hello from crio"), err
			})
			if err != nil {
				t.Errorf("crictl logs never showed the container's output: %v", err)
			}
		}},
		{name: "stop", run: func(t *testing.T) { crictl(t, "stop", ctr) }},
		{name: "rm", run: func(t *testing.T) { crictl(t, "rm", ctr) }},
		{name: "stopp", run: func(t *testing.T) { crictl(t, "stopp", pod) }},
		{name: "rmp", run: func(t *testing.T) { crictl(t, "rmp", pod) }},
		{name: "nothing left", run: func(t *testing.T) {
			if out := crictl(t, "pods", "-q"); out != "" {
				t.Errorf("pods left: %s", out)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return
		}
	}
	t.Logf("crictl pod lifecycle on CRI-O (pull to rmp, %d crictl calls) took %s", len(steps)+1, time.Since(start).Round(time.Millisecond))
	if recv != nil {
		checkCrictlSpans(t, recv)
	}
}

// checkCrictlSpans waits for CRI-O's SERVER spans of RunPodSandbox,
// CreateContainer and StartContainer, each carrying the pod's name and
// namespace.
func checkCrictlSpans(t *testing.T, recv *otlpreceiver.Receiver) {
	t.Helper()
	calls := []string{"RunPodSandbox", "CreateContainer", "StartContainer"}
	found := func(all []otlpreceiver.Span, call string) bool {
		for _, sp := range all {
			if sp.Service == "crio" && sp.Kind == "SERVER" && sp.Name == "runtime.v1.RuntimeService/"+call &&
				sp.Attributes["k8s.pod.name"] == "crictl-pod" && sp.Attributes["k8s.namespace.name"] == "harness" {
				return true
			}
		}
		return false
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err := recv.WaitFor(ctx, func(all []otlpreceiver.Span) bool {
		for _, c := range calls {
			if !found(all, c) {
				return false
			}
		}
		return true
	})
	if err != nil {
		all := recv.Spans()
		for _, c := range calls {
			if !found(all, c) {
				t.Errorf("no SERVER span of %s with the pod's name and namespace from crio-kit (%d spans received)", c, len(all))
			}
		}
	}
}

// checkInfraOOM finds the pause process of pod and checks its
// oom_score_adj is this process's own: CRI-O asked for -998, which root here
// may not set, and hack/runc-oom raised it.
func checkInfraOOM(t *testing.T, env *Env, pod string) {
	t.Helper()
	out, err := Crictl(t, env.Tools, env.Crio.Endpoint(), "inspectp", pod)
	if err != nil {
		t.Fatalf("crictl inspectp: %v\n%s", err, out)
	}
	var info struct {
		Info struct {
			Pid int `json:"pid"`
		} `json:"info"`
	}
	if err := json.Unmarshal(out, &info); err != nil || info.Info.Pid == 0 {
		t.Fatalf("no infra pid in crictl inspectp (err %v):\n%s", err, out)
	}
	own := readInt(t, "/proc/self/oom_score_adj")
	if got := readInt(t, fmt.Sprintf("/proc/%d/oom_score_adj", info.Info.Pid)); got != own {
		t.Errorf("infra container oom_score_adj = %d, want %d (the harness's own)", got, own)
	}
}

func readInt(t *testing.T, p string) int {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return n
}

// TestCrioReadsConfig asks the CRI-O the harness started for the
// configuration it runs with (`crio config` with the same flags) and checks
// that CRI-O read the harness's keys: a key CRI-O does not know is only
// warned about, so a misspelt one would otherwise go unnoticed.
func TestCrioReadsConfig(t *testing.T) {
	env := StartWithCrio(t, CrioOptions{Tracing: "127.0.0.1:1", ExtraConfig: "[crio.runtime]\nlog_size_max = 123456\n"})
	args := append(append([]string{}, env.Crio.argv[1:]...), "config")
	out, err := exec.CommandContext(t.Context(), env.Crio.argv[0], args...).Output()
	if err != nil {
		t.Fatalf("crio config: %v", err)
	}
	var got map[string]any
	if _, err := toml.Decode(string(out), &got); err != nil {
		t.Fatalf("crio config printed no TOML: %v\n%s", err, out)
	}
	crio := dig(t, got, "crio")
	root := env.Crio.Root()
	tests := []struct {
		name string
		got  any
		want any
	}{
		{name: "root", got: crio["root"], want: filepath.Join(root, "storage")},
		{name: "socket", got: dig(t, crio, "api")["listen"], want: env.Crio.Socket()},
		{name: "runc wrapper", got: dig(t, crio, "runtime", "runtimes", "runc")["runtime_path"], want: filepath.Join(env.BinDir, "runc-oom")},
		{name: "conmon in the pod cgroup", got: dig(t, crio, "runtime", "runtimes", "runc")["monitor_cgroup"], want: "pod"},
		{name: "cgroupfs", got: dig(t, crio, "runtime")["cgroup_manager"], want: "cgroupfs"},
		{name: "drop-in read", got: dig(t, crio, "runtime")["log_size_max"], want: int64(123456)},
		{name: "tracing on", got: dig(t, crio, "tracing")["enable_tracing"], want: true},
		{name: "tracing endpoint", got: dig(t, crio, "tracing")["tracing_endpoint"], want: "127.0.0.1:1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

// crioDefaultDirs are directories CRI-O's default configuration names;
// a CRI-O of the harness must not create them on the host.
var crioDefaultDirs = []string{"/etc/crio", "/run/crio", "/run/netns", "/run/ipcns", "/run/utsns", "/opt/cni", "/etc/cni", "/run/containers"}

// TestCrioReload changes CRI-O's log level with a drop-in and SIGHUP, as an
// operator would (and as the anchors' reload check does for tracing), with
// a drop-in of the test's own present from the start, and checks that CRI-O
// applied the change, still runs a pod with the harness's pause image (not
// its default one, which the loopback registry lacks), and created none of
// its default directories on the host.
func TestCrioReload(t *testing.T) {
	env := StartWithCrio(t, CrioOptions{ExtraConfig: "[crio.runtime]\nlog_size_max = 123456\n"})
	existed := map[string]bool{}
	for _, d := range crioDefaultDirs {
		_, err := os.Stat(d)
		existed[d] = err == nil
	}
	dropIn := filepath.Join(env.Crio.ConfigDir(), "50-reload.conf")
	if err := os.WriteFile(dropIn, []byte("[crio.runtime]\nlog_level = \"debug\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(env.Crio.Pid(), syscall.SIGHUP); err != nil {
		t.Fatalf("SIGHUP to CRI-O: %v", err)
	}
	const applied = `Set config log_level to \"debug\"`
	err := testutil.Poll(15*time.Second, 50*time.Millisecond, func() (bool, error) {
		data, err := os.ReadFile(env.Crio.LogPath())
		return strings.Contains(string(data), applied), err
	})
	if err != nil {
		t.Fatalf("CRI-O never logged %s after SIGHUP: %v", applied, err)
	}
	rt, im := env.Crio.Dial(t)
	runBusyboxPod(t, rt, im, env.BusyboxImage, 0, runtimeapi.NamespaceMode_NODE)
	for _, d := range crioDefaultDirs {
		if _, err := os.Stat(d); err == nil && !existed[d] {
			t.Errorf("the reload created %s on the host", d)
		}
	}
}
