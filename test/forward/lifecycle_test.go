package forward

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// Secrets planted in the pull credentials and the container's environment;
// none may appear in a span or in the daemon's debug log.
var planted = []string{
	"planted-password-7f3a9c",
	// AuthConfig.Auth is base64 of "user:password"; CRI-O decodes it and
	// refuses the pull when it is not valid base64.
	base64.StdEncoding.EncodeToString([]byte("kubelet:planted-auth-51d2e0")),
	"planted-auth-51d2e0",
	"planted-identity-token-c4e81b",
	"planted-registry-token-9a0f6d",
	"planted-env-value-2be7c5",
}

// Pod and container identity, checked in the span attributes.
const (
	podName       = "web"
	podNamespace  = "forward-e2e"
	podUID        = "0d9f2c7e-forward-e2e"
	containerName = "main"
)

// lifecycleMethods are the CRI methods the pod lifecycle calls, in order.
var lifecycleMethods = []string{
	"PullImage", "RunPodSandbox", "PodSandboxStatus", "CreateContainer", "StartContainer",
	"ContainerStatus", "ExecSync", "StopContainer", "RemoveContainer", "StopPodSandbox", "RemovePodSandbox",
}

// TestPodLifecycle plays kubelet through one pod's life under a syncPod
// span, with crio-trace forwarding to each runtime, and checks the trace:
// each crio-trace SERVER span is the child of kubelet's CLIENT span, each
// crio-trace CLIENT span (to the runtime) the child of the SERVER span, the
// server spans carry the pod and container attributes, and the planted
// secrets are in no span and not in the daemon's debug log.
func TestPodLifecycle(t *testing.T) {
	forEachRuntime(t, testPodLifecycle)
}

func testPodLifecycle(t *testing.T, rc runtimeCase) {
	env := rc.start(t)
	recv := startReceiver(t)
	d := startDaemon(t, "--runtime-endpoint", env.Runtime.Endpoint(),
		"--enable-tracing", "--tracing-endpoint", recv.Addr(), "--log-level", "debug")
	k := newKubelet(t, d.endpoint(), recv.Addr())

	ctx, root := k.tp.Tracer("k8s.io/kubernetes/pkg/kubelet/kuberuntime").Start(k.ctx, "syncPod")
	ids := runLifecycle(ctx, t, k, env.BusyboxImage)
	root.End()
	k.flush(t)
	if t.Failed() {
		return
	}

	traceID := root.SpanContext().TraceID().String()
	wctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	spans, err := recv.WaitFor(wctx, func(s []otlpreceiver.Span) bool {
		tr := otlpreceiver.Trace(s, traceID)
		return hasAll(tr, svcCrioTrace, kindServer, lifecycleMethods) && hasAll(tr, svcCrioTrace, kindClient, lifecycleMethods)
	})
	trace := otlpreceiver.Trace(spans, traceID)
	if err != nil {
		t.Fatalf("the trace never held a crio-trace SERVER and CLIENT span for each of %v: %v\ntrace:\n%s",
			lifecycleMethods, err, describe(trace))
	}

	t.Run("parent links", func(t *testing.T) {
		for _, h := range []hop{kubeletToServer, serverToClient} {
			for _, p := range checkHop(trace, h, lifecycleMethods) {
				t.Error(p)
			}
		}
		if t.Failed() {
			t.Logf("trace:\n%s", describe(trace))
		}
	})
	t.Run("attributes", func(t *testing.T) {
		checkAttributes(t, trace, env.BusyboxImage, ids)
	})
	t.Run("no secrets in spans", func(t *testing.T) {
		for _, l := range leaks(recv.Spans(), planted) {
			t.Error(l)
		}
	})
	t.Run("no secrets in the daemon log", func(t *testing.T) {
		log := d.log(t)
		if !strings.Contains(log, "level=DEBUG") {
			t.Errorf("the daemon log has no debug line; is --log-level debug honoured?\n%s", d.tail(10))
		}
		for _, sec := range planted {
			if strings.Contains(log, sec) {
				t.Errorf("the daemon log holds %q", sec)
			}
		}
	})
}

// lifecycleIDs are the ids the lifecycle handed out.
type lifecycleIDs struct{ pod, container string }

// logLine is what the lifecycle's container prints first; its log file
// must hold it.
const logLine = "forward-e2e container started"

// runLifecycle makes kubelet's calls for one pod, each a subtest, and
// reads the container's log file as kubelet does; the first failure stops
// the sequence.
func runLifecycle(ctx context.Context, t *testing.T, k *kubelet, image string) lifecycleIDs {
	logDir := t.TempDir()
	pod := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: podName, Namespace: podNamespace, Uid: podUID},
		LogDirectory: logDir,
		Linux: &runtimeapi.LinuxPodSandboxConfig{SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE},
		}},
	}
	auth := &runtimeapi.AuthConfig{
		Username: "kubelet", Password: planted[0], Auth: planted[1],
		IdentityToken: planted[3], RegistryToken: planted[4],
	}
	var ids lifecycleIDs
	var logPath string
	begin := time.Now()
	defer func() {
		t.Logf("lifecycle (%d CRI calls) took %s", len(lifecycleMethods), time.Since(begin).Round(time.Millisecond))
	}()
	steps := []struct {
		name string
		run  func() error
	}{
		{name: "PullImage with credentials", run: func() error {
			ref, err := k.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: image}, auth, pod)
			// containerd answers the image id, CRI-O a repo digest.
			if err == nil && !strings.HasPrefix(ref, "sha256:") && !strings.Contains(ref, "@sha256:") {
				err = fmt.Errorf("image ref = %q, want a sha256 id or a repo digest", ref)
			}
			return err
		}},
		{name: "RunPodSandbox on the host network", run: func() (err error) {
			ids.pod, err = k.rt.RunPodSandbox(ctx, pod, "")
			return err
		}},
		{name: "PodSandboxStatus", run: func() error {
			st, err := k.rt.PodSandboxStatus(ctx, ids.pod, false)
			if err == nil && st.GetStatus().GetState() != runtimeapi.PodSandboxState_SANDBOX_READY {
				err = fmt.Errorf("pod state = %v, want SANDBOX_READY", st.GetStatus().GetState())
			}
			return err
		}},
		{name: "CreateContainer with a secret in its env", run: func() (err error) {
			// kubelet creates the container's log directory itself.
			if err := os.MkdirAll(filepath.Join(logDir, containerName), 0o755); err != nil {
				return err
			}
			ids.container, err = k.rt.CreateContainer(ctx, ids.pod, &runtimeapi.ContainerConfig{
				Metadata: &runtimeapi.ContainerMetadata{Name: containerName},
				// As kubelet does: the image as the pod spec names it too
				// (CRI-O checks its signature policy against that name).
				Image:   &runtimeapi.ImageSpec{Image: image, UserSpecifiedImage: image},
				Command: []string{"sh", "-c", "echo " + logLine + "; exec sleep 3600"},
				Envs:    []*runtimeapi.KeyValue{{Key: "API_TOKEN", Value: []byte(planted[5])}},
				LogPath: filepath.Join(containerName, "0.log"),
			}, pod)
			return err
		}},
		{name: "StartContainer", run: func() error { return k.rt.StartContainer(ctx, ids.container) }},
		{name: "ContainerStatus running, log under the pod's log dir", run: func() error {
			st, err := k.rt.ContainerStatus(ctx, ids.container, false)
			if err != nil {
				return err
			}
			if s := st.GetStatus().GetState(); s != runtimeapi.ContainerState_CONTAINER_RUNNING {
				return fmt.Errorf("state = %v, want CONTAINER_RUNNING", s)
			}
			logPath = st.GetStatus().GetLogPath()
			if !strings.HasPrefix(logPath, logDir+string(filepath.Separator)) {
				return fmt.Errorf("log path %q is not under the pod's log directory %q", logPath, logDir)
			}
			_, err = os.Stat(logPath)
			return err
		}},
		{name: "container log holds its output", run: func() error {
			return testutil.PollUntilNil(10*time.Second, func() error {
				data, err := os.ReadFile(logPath)
				if err == nil && !strings.Contains(string(data), " stdout F "+logLine) {
					err = fmt.Errorf("log %s holds %q, want a CRI log line with %q", logPath, data, logLine)
				}
				return err
			})
		}},
		{name: "ExecSync echo hi", run: func() error {
			stdout, stderr, err := k.rt.ExecSync(ctx, ids.container, []string{"echo", "hi"}, 10*time.Second)
			if err == nil && string(stdout) != "hi\n" {
				err = fmt.Errorf("stdout = %q (stderr %q), want %q", stdout, stderr, "hi\n")
			}
			return err
		}},
		{name: "StopContainer", run: func() error { return k.rt.StopContainer(ctx, ids.container, 1) }},
		{name: "RemoveContainer", run: func() error { return k.rt.RemoveContainer(ctx, ids.container) }},
		{name: "StopPodSandbox", run: func() error { return k.rt.StopPodSandbox(ctx, ids.pod) }},
		{name: "RemovePodSandbox", run: func() error { return k.rt.RemovePodSandbox(ctx, ids.pod) }},
	}
	for _, step := range steps {
		start := time.Now()
		if !t.Run(step.name, func(t *testing.T) {
			if err := step.run(); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s in %s", step.name, time.Since(start).Round(time.Millisecond))
		}) {
			break
		}
	}
	return ids
}

// checkAttributes checks the attributes of every crio-trace SERVER span of
// the lifecycle.
func checkAttributes(t *testing.T, trace []otlpreceiver.Span, image string, ids lifecycleIDs) {
	podAttrs := map[string]string{"k8s.pod.name": podName, "k8s.namespace.name": podNamespace, "k8s.pod.uid": podUID}
	sandbox := merge(podAttrs, map[string]string{"cri.sandbox.id": ids.pod})
	ctr := merge(sandbox, map[string]string{
		"container.id": ids.container, "k8s.container.name": containerName, "container.image.name": image,
	})
	want := map[string]map[string]string{
		"PullImage":        merge(podAttrs, map[string]string{"container.image.name": image}),
		"RunPodSandbox":    sandbox,
		"PodSandboxStatus": sandbox,
		"CreateContainer":  ctr,
		"StartContainer":   ctr,
		"ContainerStatus":  ctr,
		"ExecSync":         ctr,
		"StopContainer":    ctr,
		"RemoveContainer":  ctr,
		"StopPodSandbox":   sandbox,
		"RemovePodSandbox": sandbox,
	}
	for _, m := range lifecycleMethods {
		t.Run(m, func(t *testing.T) {
			spans := pick(trace, svcCrioTrace, kindServer, rpcName(m))
			if len(spans) == 0 {
				t.Fatalf("no crio-trace SERVER span %s", rpcName(m))
			}
			for _, s := range spans {
				for k, v := range want[m] {
					if got, ok := s.Attributes[k]; !ok || got != v {
						t.Errorf("%s = %q (set: %v), want %q", k, got, ok, v)
					}
				}
			}
		})
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
