package daemon_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/test/harness"
)

// crictlPod and crictlContainer are the configs crictl runp and create read.
const (
	crictlPod = `{
  "metadata": {"name": "crictl-web", "namespace": "crictl", "uid": "crictl-uid-1", "attempt": 0},
  "log_directory": "%LOGDIR%",
  "linux": {}
}`
	crictlContainer = `{
  "metadata": {"name": "crictl-app"},
  "image": {"image": "busybox"},
  "command": ["sleep", "3600"],
  "envs": [{"key": "API_TOKEN", "value": "` + "SECRET-CRICTL-ENV-7f3a" + `"}],
  "log_path": "crictl-app.log",
  "linux": {}
}`
)

// crictlTool returns the path of crictl built by hack/install-e2e-deps.sh.
func crictlTool(t *testing.T) string {
	t.Helper()
	if os.Getenv(harness.E2EEnv) == "skip" {
		t.Skipf("SKIPPING %s: %s=skip is set; crictl (cri-tools v1.30.0) is not run", t.Name(), harness.E2EEnv)
	}
	return harness.FindTools(t).Crictl
}

// crictl runs crictl with the config file cfg and args, and fails t unless
// it exits 0. It returns stdout.
func crictl(t *testing.T, bin, cfg string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, append([]string{"--config", cfg}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("crictl %s: exit code %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), ee.ExitCode(), stdout.String(), stderr.String())
		}
		t.Fatalf("crictl %s: %v", strings.Join(args, " "), err)
	}
	return stdout.String()
}

// TestCrictl drives the daemon (embedded runtime, tracing on) with the real
// crictl through a whole pod lifecycle: every command must exit 0 and say
// what the runtime did.
func TestCrictl(t *testing.T) {
	bin := crictlTool(t)
	recv := startReceiver(t)
	sock := socketPath(t)
	d := startDaemon(t, sock, "--config", writeConfig(t, tracingConfig(true, recv.Addr())), "--log-level", "debug")

	dir := t.TempDir()
	cfg := filepath.Join(dir, "crictl.yaml")
	endpoint := "unix://" + sock
	writeFile(t, cfg, "runtime-endpoint: "+endpoint+"\nimage-endpoint: "+endpoint+"\ntimeout: 30\ndebug: false\npull-image-on-create: false\n")
	podJSON := filepath.Join(dir, "pod.json")
	writeFile(t, podJSON, strings.ReplaceAll(crictlPod, "%LOGDIR%", filepath.Join(dir, "logs")))
	ctrJSON := filepath.Join(dir, "container.json")
	writeFile(t, ctrJSON, crictlContainer)

	var podID, ctrID string
	steps := []struct {
		name string
		args func() []string
		// want are substrings stdout must hold, computed after the
		// earlier steps ran.
		want func() []string
		// keep, when set, receives stdout, which must be one id.
		keep func(string)
		// empty: stdout must be empty.
		empty bool
	}{
		{name: "version", args: fixed("version"), want: fixed("RuntimeName:  crio-trace", "RuntimeApiVersion:  v1")},
		{name: "info", args: fixed("info"), want: fixed(`"RuntimeReady"`, `"NetworkReady"`)},
		{name: "pull", args: fixed("pull", "busybox"), want: fixed("Image is up to date for sha256:")},
		{name: "images", args: fixed("images"), want: fixed("docker.io/library/busybox", "latest")},
		{name: "runp", args: fixed("runp", podJSON), keep: func(s string) { podID = strings.TrimSpace(s) }},
		{name: "pods", args: fixed("pods"), want: func() []string { return []string{podID[:13], "crictl-web", "crictl", "Ready"} }},
		{name: "create", args: func() []string { return []string{"create", podID, ctrJSON, podJSON} },
			keep: func(s string) { ctrID = strings.TrimSpace(s) }},
		{name: "start", args: func() []string { return []string{"start", ctrID} }, want: func() []string { return []string{ctrID} }},
		{name: "ps running", args: fixed("ps", "-a"), want: func() []string { return []string{ctrID[:13], "crictl-app", "Running", podID[:13]} }},
		{name: "inspect", args: func() []string { return []string{"inspect", ctrID} },
			want: func() []string { return []string{`"id": "` + ctrID + `"`, "CONTAINER_RUNNING", `"name": "crictl-app"`} }},
		{name: "inspectp", args: func() []string { return []string{"inspectp", podID} },
			want: func() []string { return []string{`"id": "` + podID + `"`, "SANDBOX_READY", `"name": "crictl-web"`} }},
		{name: "exec --sync", args: func() []string { return []string{"exec", "--sync", ctrID, "echo", "hello"} }, want: fixed("hello")},
		{name: "stop", args: func() []string { return []string{"stop", ctrID} }, want: func() []string { return []string{ctrID} }},
		{name: "ps exited", args: fixed("ps", "-a"), want: func() []string { return []string{ctrID[:13], "Exited"} }},
		{name: "rm", args: func() []string { return []string{"rm", ctrID} }, want: func() []string { return []string{ctrID} }},
		{name: "stopp", args: func() []string { return []string{"stopp", podID} }, want: func() []string { return []string{"Stopped sandbox " + podID} }},
		{name: "rmp", args: func() []string { return []string{"rmp", podID} }, want: func() []string { return []string{"Removed sandbox " + podID} }},
		{name: "rmi", args: fixed("rmi", "busybox"), want: fixed("Deleted: docker.io/library/busybox")},
		{name: "images after rmi", args: fixed("images", "-q"), empty: true},
	}
	for _, st := range steps {
		if !t.Run(st.name, func(t *testing.T) {
			out := crictl(t, bin, cfg, st.args()...)
			if st.keep != nil {
				st.keep(out)
				if len(strings.TrimSpace(out)) != 64 {
					t.Fatalf("crictl %s printed %q, want a 64-hex-digit id", st.name, out)
				}
			}
			if st.empty && strings.TrimSpace(out) != "" {
				t.Errorf("crictl %s printed %q, want nothing", st.name, out)
			}
			if st.want == nil {
				return
			}
			for _, w := range st.want() {
				if !strings.Contains(out, w) {
					t.Errorf("crictl %s output lacks %q:\n%s", st.name, w, out)
				}
			}
		}) {
			t.Fatalf("stopping at failed step %s", st.name)
		}
	}

	if code := d.Stop(t); code != 0 {
		t.Fatalf("daemon exit code = %d, want 0", code)
	}
	t.Run("root PullImage traced, no secret", func(t *testing.T) {
		spans := recv.Spans()
		pulls := otlpreceiver.ByName(serverSpans(spans), imageRPC("PullImage"))
		if len(pulls) != 1 || pulls[0].Attributes["container.image.name"] != "busybox" {
			t.Errorf("PullImage spans = %+v, want one naming busybox", pulls)
		}
		secret := []string{"SECRET-CRICTL-ENV-7f3a"}
		if l := leaks(spans, secret); len(l) > 0 {
			t.Errorf("secrets in spans: %q", l)
		}
		if strings.Contains(d.Stderr.String(), secret[0]) {
			t.Error("daemon stderr holds the container's env value")
		}
	})
}

// fixed returns a func returning ss, for steps whose values are known upfront.
func fixed(ss ...string) func() []string { return func() []string { return ss } }

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
}
