package anchors

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// kubelet plays kubelet: a tracer provider with service.name kubelet,
// sampling every span, exporting to the receiver, and kubelet's CRI
// clients built with it.
type kubelet struct {
	tp  *sdktrace.TracerProvider
	rt  internalapi.RuntimeService
	img internalapi.ImageManagerService
	ctx context.Context // holds the klog logger cri-client logs through
}

// newKubelet connects kubelet's CRI clients to endpoint, tracing into the
// receiver at collector; everything is closed when t ends.
func newKubelet(t *testing.T, endpoint, collector string) *kubelet {
	t.Helper()
	ctx := testutil.KlogContext(t, 0)
	tp := testutil.KubeletProvider(ctx, t, collector)
	c := testutil.NewKubelet(ctx, t, endpoint, testutil.KubeletOptions{TracerProvider: tp, ConnectTimeout: 2 * time.Minute})
	return &kubelet{tp: tp, rt: c.Runtime, img: c.Image, ctx: ctx}
}

// flush sends kubelet's finished spans to the receiver.
func (k *kubelet) flush(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(k.ctx), 10*time.Second)
	defer cancel()
	if err := k.tp.ForceFlush(ctx); err != nil {
		t.Fatalf("flushing kubelet's spans: %v", err)
	}
}

// secret is a planted secret and what it is.
type secret struct{ what, value string }

// planted are secrets in the pull credentials and the container's
// environment; no span and no log may hold one.
var planted = []secret{
	{"password", "anchor-password-5c1e9a"},
	// AuthConfig.Auth is base64 of user:password; the password inside it
	// is planted too, for a system that decodes and logs it.
	{"auth", base64.StdEncoding.EncodeToString([]byte("kubelet:anchor-auth-77d0b3"))},
	{"password in auth", "anchor-auth-77d0b3"},
	{"identity token", "anchor-identity-token-2f8c61"},
	{"registry token", "anchor-registry-token-e04b7d"},
	{"env value", "anchor-env-value-9b3a2e"},
}

// Pod identity, checked in the attributes row.
const (
	podName      = "anchor"
	podNamespace = "anchors"
	podUID       = "anchors-pod-uid-1"
	ctrName      = "main"
)

// lifecycleMethods are the CRI methods lifecycle calls that must succeed.
var lifecycleMethods = []string{
	"PullImage", "RunPodSandbox", "CreateContainer", "StartContainer",
	"StopContainer", "RemoveContainer", "StopPodSandbox", "RemovePodSandbox",
}

// lifecycleResult is what lifecycle leaves for the checks.
type lifecycleResult struct {
	root           trace.SpanContext // kubelet's syncPod span
	pod, container string
	failedPull     error // the pull of a missing image, which must fail
}

// lifecycle plays one pod's life through kubelet's client under a sampled
// syncPod span — pull with credentials, sandbox on the host network,
// container with a secret in its env, start, stop, remove — then pulls an
// image that does not exist, and flushes kubelet's spans.
func lifecycle(t *testing.T, k *kubelet, image string) lifecycleResult {
	t.Helper()
	ctx, root := k.tp.Tracer("k8s.io/kubernetes/pkg/kubelet/kuberuntime").Start(k.ctx, "syncPod")
	defer k.flush(t)
	defer root.End()
	res := lifecycleResult{root: root.SpanContext()}
	logDir := t.TempDir()
	pod := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: podName, Namespace: podNamespace, Uid: podUID},
		LogDirectory: logDir,
		Linux: &runtimeapi.LinuxPodSandboxConfig{SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE},
		}},
	}
	auth := &runtimeapi.AuthConfig{Username: "kubelet", Password: planted[0].value, Auth: planted[1].value,
		IdentityToken: planted[3].value, RegistryToken: planted[4].value}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := k.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: image}, auth, pod)
	must("PullImage", err)
	res.pod, err = k.rt.RunPodSandbox(ctx, pod, "")
	must("RunPodSandbox", err)
	must("log dir", os.MkdirAll(filepath.Join(logDir, ctrName), 0o755))
	res.container, err = k.rt.CreateContainer(ctx, res.pod, &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: ctrName},
		Image:    &runtimeapi.ImageSpec{Image: image, UserSpecifiedImage: image},
		Command:  []string{"sleep", "3600"},
		Envs:     []*runtimeapi.KeyValue{{Key: "API_TOKEN", Value: []byte(planted[5].value)}},
		LogPath:  filepath.Join(ctrName, "0.log"),
	}, pod)
	must("CreateContainer", err)
	must("StartContainer", k.rt.StartContainer(ctx, res.container))
	must("StopContainer", k.rt.StopContainer(ctx, res.container, 1))
	must("RemoveContainer", k.rt.RemoveContainer(ctx, res.container))
	must("StopPodSandbox", k.rt.StopPodSandbox(ctx, res.pod))
	must("RemovePodSandbox", k.rt.RemovePodSandbox(ctx, res.pod))
	_, res.failedPull = k.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: missingImage(image)}, nil, pod)
	if res.failedPull == nil {
		t.Fatalf("pulling %s succeeded; the error row needs a failing call", missingImage(image))
	}
	return res
}

// missingImage names an image the loopback registry of image lacks.
func missingImage(image string) string {
	return fmt.Sprintf("%s-missing", image)
}
