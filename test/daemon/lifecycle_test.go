package daemon_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// unknownContainerID is a well-formed id no container has.
const unknownContainerID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// ids are the ids the daemon handed out during the lifecycle.
type ids struct{ pod, ctr string }

// lifecycleStep is one CRI call kubelet makes for the pod, with what its
// server span must carry.
type lifecycleStep struct {
	name   string
	method string
	run    func(ctx context.Context, k *kubelet, got *ids) error
	// attrs returns the attributes the server span must hold.
	attrs func(got ids) map[string]string
	// inner lists the inner spans that must be children of the server span.
	inner []string
	// notFound marks the error case: NotFound recorded on the span.
	notFound bool
}

func podAttrs(extra map[string]string) map[string]string {
	m := map[string]string{
		"k8s.pod.name":       podName,
		"k8s.namespace.name": podNamespace,
		"k8s.pod.uid":        podUID,
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// containerAttrs are what every call naming only the container id gets from
// the daemon's index.
func containerAttrs(got ids) map[string]string {
	return podAttrs(map[string]string{
		"container.id":         got.ctr,
		"k8s.container.name":   containerName,
		"container.image.name": testImage,
		"cri.sandbox.id":       got.pod,
	})
}

// lifecycleSteps is what kubelet's syncPod does for one pod, start to end.
func lifecycleSteps() []lifecycleStep {
	return []lifecycleStep{
		{name: "PullImage", method: imageRPC("PullImage"), inner: []string{"crio.image.pull"},
			run: func(ctx context.Context, k *kubelet, _ *ids) error {
				ref, err := k.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: testImage}, authConfig(), testPod())
				if err == nil && ref == "" {
					err = fmt.Errorf("empty image ref")
				}
				return err
			},
			attrs: func(ids) map[string]string { return podAttrs(map[string]string{"container.image.name": testImage}) }},
		{name: "RunPodSandbox", method: runtimeRPC("RunPodSandbox"), inner: []string{"crio.sandbox.network", "crio.sandbox.infra"},
			run: func(ctx context.Context, k *kubelet, got *ids) (err error) {
				got.pod, err = k.rt.RunPodSandbox(ctx, testPod(), "")
				return err
			},
			attrs: func(got ids) map[string]string { return podAttrs(map[string]string{"cri.sandbox.id": got.pod}) }},
		{name: "CreateContainer", method: runtimeRPC("CreateContainer"),
			run: func(ctx context.Context, k *kubelet, got *ids) (err error) {
				got.ctr, err = k.rt.CreateContainer(ctx, got.pod, testContainer(), testPod())
				return err
			},
			attrs: containerAttrs},
		{name: "StartContainer", method: runtimeRPC("StartContainer"), inner: []string{"crio.container.start"},
			run: func(ctx context.Context, k *kubelet, got *ids) error {
				return k.rt.StartContainer(ctx, got.ctr)
			},
			attrs: containerAttrs},
		{name: "ContainerStatus", method: runtimeRPC("ContainerStatus"),
			run: func(ctx context.Context, k *kubelet, got *ids) error {
				st, err := k.rt.ContainerStatus(ctx, got.ctr, true)
				if err == nil && st.GetStatus().GetState() != runtimeapi.ContainerState_CONTAINER_RUNNING {
					err = fmt.Errorf("state = %s, want CONTAINER_RUNNING", st.GetStatus().GetState())
				}
				return err
			},
			attrs: containerAttrs},
		{name: "ExecSync", method: runtimeRPC("ExecSync"),
			run: func(ctx context.Context, k *kubelet, got *ids) error {
				stdout, _, err := k.rt.ExecSync(ctx, got.ctr, []string{"echo", secretExecArg}, 10*time.Second)
				if err == nil && string(stdout) != secretExecArg+"\n" {
					err = fmt.Errorf("stdout = %q, want the echoed argument", stdout)
				}
				return err
			},
			attrs: containerAttrs},
		{name: "ContainerStatus of an unknown id", method: runtimeRPC("ContainerStatus"), notFound: true,
			run: func(ctx context.Context, k *kubelet, _ *ids) error {
				_, err := k.rt.ContainerStatus(ctx, unknownContainerID, false)
				if status.Code(err) != codes.NotFound {
					return fmt.Errorf("error = %v, want NotFound", err)
				}
				return nil
			},
			attrs: func(ids) map[string]string {
				return map[string]string{"container.id": unknownContainerID, "rpc.grpc.status_code": "5"}
			}},
		{name: "StopContainer", method: runtimeRPC("StopContainer"), inner: []string{"crio.container.stop"},
			run: func(ctx context.Context, k *kubelet, got *ids) error {
				return k.rt.StopContainer(ctx, got.ctr, 30)
			},
			attrs: containerAttrs},
		{name: "RemoveContainer", method: runtimeRPC("RemoveContainer"),
			run: func(ctx context.Context, k *kubelet, got *ids) error {
				return k.rt.RemoveContainer(ctx, got.ctr)
			},
			attrs: containerAttrs},
		{name: "StopPodSandbox", method: runtimeRPC("StopPodSandbox"),
			run: func(ctx context.Context, k *kubelet, got *ids) error {
				return k.rt.StopPodSandbox(ctx, got.pod)
			},
			attrs: func(got ids) map[string]string { return podAttrs(map[string]string{"cri.sandbox.id": got.pod}) }},
		{name: "RemovePodSandbox", method: runtimeRPC("RemovePodSandbox"),
			run: func(ctx context.Context, k *kubelet, got *ids) error {
				return k.rt.RemovePodSandbox(ctx, got.pod)
			},
			attrs: func(got ids) map[string]string { return podAttrs(map[string]string{"cri.sandbox.id": got.pod}) }},
	}
}

// TestKubeletPodLifecycle plays kubelet's syncPod for one pod against the
// real daemon, stops the daemon with SIGTERM, and checks every span the
// collector received and every line the daemon logged at debug level.
func TestKubeletPodLifecycle(t *testing.T) {
	recv := startReceiver(t)
	sock := socketPath(t)
	d := startDaemon(t, sock, "--enable-tracing", "--tracing-endpoint", recv.Addr(),
		"--tracing-sampling-rate-per-million", "0", "--log-level", "debug")
	tp, _ := newKubeletProvider(t, sdktrace.AlwaysSample(), recv.Addr())
	ctx := klogContext(t)
	k := newKubelet(ctx, t, sock, tp)

	steps := lifecycleSteps()
	var got ids
	syncCtx, syncPod := tp.Tracer("k8s.io/kubernetes/pkg/kubelet").Start(ctx, "syncPod")
	for _, st := range steps {
		if err := st.run(syncCtx, k, &got); err != nil {
			syncPod.End()
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	syncPod.End()
	shutdown(t, tp) // kubelet's spans leave now

	if code := d.Stop(t); code != 0 {
		t.Fatalf("daemon exit code after SIGTERM = %d, want 0\nstderr:\n%s", code, d.Stderr.String())
	}
	stderr := d.Stderr.String()
	if !strings.Contains(stderr, "crio-trace stopped") {
		t.Errorf("daemon stderr does not say it stopped:\n%s", stderr)
	}

	traceID := syncPod.SpanContext().TraceID().String()
	// The daemon flushed before exiting and kubelet's provider is shut down,
	// so everything has arrived; the wait only bounds a slow receiver.
	wctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	spans, err := recv.WaitFor(wctx, func(s []otlpreceiver.Span) bool {
		tr := otlpreceiver.Trace(s, traceID)
		return len(serverSpans(tr)) >= len(steps) && len(otlpreceiver.ByName(tr, "syncPod")) == 1
	})
	if err != nil {
		t.Fatalf("spans of syncPod's trace: %v\ngot: %q", err, spanNames(otlpreceiver.Trace(spans, traceID)))
	}
	trace := otlpreceiver.Trace(spans, traceID)

	t.Run("one server span per call, child of kubelet's client span", func(t *testing.T) {
		checkServerSpans(t, trace, steps, got)
	})
	t.Run("no server span without a kubelet client span", func(t *testing.T) {
		clients := spansOf(trace, kubeletService, "CLIENT")
		for _, s := range serverSpans(spans) {
			if s.TraceID != traceID {
				continue
			}
			if !slices.ContainsFunc(clients, func(c otlpreceiver.Span) bool { return c.SpanID == s.ParentSpanID }) {
				t.Errorf("server span %s (%s) has parent %s, which is no kubelet client span", s.Name, s.SpanID, s.ParentSpanID)
			}
		}
	})
	t.Run("inner spans are below a server span", func(t *testing.T) {
		checkInnerSpans(t, trace)
	})
	t.Run("no secret in any span", func(t *testing.T) {
		if l := leaks(spans, plantedSecrets); len(l) > 0 {
			t.Errorf("planted secrets reached the collector:\n  %s", strings.Join(l, "\n  "))
		}
	})
	t.Run("no secret in the debug log", func(t *testing.T) {
		for _, sec := range plantedSecrets {
			if strings.Contains(stderr, sec) {
				t.Errorf("daemon stderr holds %s", sec)
			}
		}
		// The log is not empty: the calls were logged, ids and all.
		if !strings.Contains(stderr, got.ctr) {
			t.Errorf("daemon debug log never names container %s:\n%s", got.ctr, stderr)
		}
	})
}

// checkServerSpans matches kubelet's client spans of the trace, in call
// order, to the steps, and checks each has exactly one daemon server span
// as its child, named after the method and carrying the step's attributes.
func checkServerSpans(t *testing.T, trace []otlpreceiver.Span, steps []lifecycleStep, got ids) {
	t.Helper()
	clients := spansOf(trace, kubeletService, "CLIENT")
	sort.SliceStable(clients, func(i, j int) bool { return clients[i].Start.Before(clients[j].Start) })
	if len(clients) != len(steps) {
		t.Fatalf("kubelet client spans = %q, want one per step (%d)", spanNames(clients), len(steps))
	}
	syncPod := otlpreceiver.ByName(trace, "syncPod")[0]
	servers := serverSpans(trace)
	if len(servers) != len(steps) {
		t.Errorf("daemon server spans = %q, want exactly one per call (%d)", spanNames(servers), len(steps))
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			c := clients[i]
			if c.Name != st.method || c.ParentSpanID != syncPod.SpanID {
				t.Fatalf("client span %d = %s under %s, want %s under syncPod %s", i, c.Name, c.ParentSpanID, st.method, syncPod.SpanID)
			}
			children := otlpreceiver.Children(servers, c)
			if len(children) != 1 {
				t.Fatalf("server spans under kubelet's %s client span = %q, want exactly one", st.method, spanNames(children))
			}
			s := children[0]
			if s.Name != st.method || s.Service != daemonService {
				t.Errorf("server span = %s of %q, want %s of %q", s.Name, s.Service, st.method, daemonService)
			}
			for k, want := range st.attrs(got) {
				if v, ok := s.Attributes[k]; !ok || v != want {
					t.Errorf("attribute %s = %q (present %t), want %q; all: %v", k, v, ok, want, s.Attributes)
				}
			}
			if st.notFound {
				if !slices.ContainsFunc(s.Events, func(e otlpreceiver.Event) bool { return e.Name == "exception" }) {
					t.Errorf("NotFound not recorded as an exception event: %+v", s.Events)
				}
				if s.IsError() {
					t.Errorf("status = ERROR for NotFound; a client's mistake must leave it unset")
				}
			} else if code, ok := s.Attributes["rpc.grpc.status_code"]; ok {
				t.Errorf("successful call has rpc.grpc.status_code = %s; only failures record it", code)
			}
			inner := spanNames(otlpreceiver.Children(trace, s))
			for _, name := range st.inner {
				if !slices.Contains(inner, name) {
					t.Errorf("inner spans under %s = %q, want %s among them", st.method, inner, name)
				}
			}
		})
	}
}

// checkInnerSpans checks that every span the daemon started below an RPC has
// a crio.* name and a parent inside the daemon (a server or inner span).
func checkInnerSpans(t *testing.T, trace []otlpreceiver.Span) {
	t.Helper()
	own := make(map[string]otlpreceiver.Span)
	for _, s := range trace {
		if s.Service == daemonService {
			own[s.SpanID] = s
		}
	}
	n := 0
	for _, s := range own {
		if s.Kind == "SERVER" {
			continue
		}
		n++
		if !strings.HasPrefix(s.Name, "crio.") {
			t.Errorf("inner span %q is not named crio.<resource>.<step>", s.Name)
		}
		if _, ok := own[s.ParentSpanID]; !ok {
			t.Errorf("inner span %s has parent %s, not a daemon span", s.Name, s.ParentSpanID)
		}
	}
	if n == 0 {
		t.Error("no inner span at all")
	}
}
