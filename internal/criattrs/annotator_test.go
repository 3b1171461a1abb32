package criattrs

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// attrsOf returns the attributes as a map, for comparison.
func attrsOf(kvs []attribute.KeyValue) map[attribute.Key]string {
	out := make(map[attribute.Key]string, len(kvs))
	for _, kv := range kvs {
		out[kv.Key] = kv.Value.Emit()
	}
	return out
}

// TestAnnotatorLearnsAndForgets walks a pod's life through Observe, as a
// server (crio-trace's, or CRI-O's interceptor) calls it after each
// successful call, and checks what id-only requests are then named with.
// Steps run in order: each relies on the index the previous left.
func TestAnnotatorLearnsAndForgets(t *testing.T) {
	a := New(16)
	ctx := context.Background()
	pod := &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "shop", Uid: "uid-1"}
	steps := []struct {
		name    string
		observe func()
		req     any
		want    map[attribute.Key]string
	}{
		{name: "unknown sandbox: only its id", req: &runtimeapi.StopPodSandboxRequest{PodSandboxId: "sb-1"},
			want: map[attribute.Key]string{AttrSandboxID: "sb-1"}},
		{name: "after RunPodSandbox the id names the pod",
			observe: func() {
				a.Observe(ctx, &runtimeapi.RunPodSandboxRequest{Config: &runtimeapi.PodSandboxConfig{Metadata: pod}, RuntimeHandler: "runc"},
					&runtimeapi.RunPodSandboxResponse{PodSandboxId: "sb-1"})
			},
			req:  &runtimeapi.StopPodSandboxRequest{PodSandboxId: "sb-1"},
			want: map[attribute.Key]string{AttrSandboxID: "sb-1", AttrPodName: "web", AttrNamespaceName: "shop", AttrPodUID: "uid-1", AttrRuntimeHandler: "runc"}},
		{name: "after CreateContainer the container id names container, image and pod",
			observe: func() {
				a.Observe(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: "sb-1", Config: &runtimeapi.ContainerConfig{
					Metadata: &runtimeapi.ContainerMetadata{Name: "app"}, Image: &runtimeapi.ImageSpec{Image: "busybox"},
					Envs: []*runtimeapi.KeyValue{{Key: "TOKEN", Value: []byte("s3cret")}}}},
					&runtimeapi.CreateContainerResponse{ContainerId: "c-1"})
			},
			req: &runtimeapi.StartContainerRequest{ContainerId: "c-1"},
			want: map[attribute.Key]string{AttrContainerID: "c-1", AttrContainerName: "app", AttrContainerImageName: "busybox",
				AttrSandboxID: "sb-1", AttrPodName: "web", AttrNamespaceName: "shop", AttrPodUID: "uid-1", AttrRuntimeHandler: "runc"}},
		{name: "a status answer teaches a sandbox the index missed",
			observe: func() {
				a.Observe(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: "sb-2"},
					&runtimeapi.PodSandboxStatusResponse{Status: &runtimeapi.PodSandboxStatus{Id: "sb-2", RuntimeHandler: "kata",
						Metadata: &runtimeapi.PodSandboxMetadata{Name: "db", Namespace: "shop", Uid: "uid-2"}}})
			},
			req:  &runtimeapi.StopPodSandboxRequest{PodSandboxId: "sb-2"},
			want: map[attribute.Key]string{AttrSandboxID: "sb-2", AttrPodName: "db", AttrNamespaceName: "shop", AttrPodUID: "uid-2", AttrRuntimeHandler: "kata"}},
		{name: "RemoveContainer forgets the container",
			observe: func() {
				a.Observe(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: "c-1"}, &runtimeapi.RemoveContainerResponse{})
			},
			req: &runtimeapi.StartContainerRequest{ContainerId: "c-1"}, want: map[attribute.Key]string{AttrContainerID: "c-1"}},
		{name: "RemovePodSandbox forgets the pod",
			observe: func() {
				a.Observe(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: "sb-1"}, &runtimeapi.RemovePodSandboxResponse{})
			},
			req: &runtimeapi.StopPodSandboxRequest{PodSandboxId: "sb-1"}, want: map[attribute.Key]string{AttrSandboxID: "sb-1"}},
	}
	for _, st := range steps {
		if st.observe != nil {
			st.observe()
		}
		got := attrsOf(a.Request(st.req))
		if len(got) != len(st.want) {
			t.Fatalf("%s: attributes %v, want %v", st.name, got, st.want)
		}
		for k, v := range st.want {
			if got[k] != v {
				t.Fatalf("%s: %s = %q, want %q (all: %v)", st.name, k, got[k], v, got)
			}
		}
	}
}

// TestObserveRecordsOnTheSpan: the ids a response hands out, and the pod a
// status answer teaches, go on the span in ctx; an unrecorded span gets
// nothing and costs nothing.
func TestObserveRecordsOnTheSpan(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	a := New(16)
	ctx, span := tp.Tracer("t").Start(context.Background(), "runtime.v1.RuntimeService/RunPodSandbox")
	req := &runtimeapi.RunPodSandboxRequest{Config: &runtimeapi.PodSandboxConfig{
		Metadata:    &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "shop", Uid: "u"},
		Annotations: map[string]string{"api-key": "s3cret"},
	}}
	a.Annotate(ctx, req)
	a.Observe(ctx, req, &runtimeapi.RunPodSandboxResponse{PodSandboxId: "sb-9"})
	span.End()
	got := attrsOf(rec.Ended()[0].Attributes())
	if got[AttrSandboxID] != "sb-9" || got[AttrPodName] != "web" {
		t.Fatalf("span attributes %v, want the pod and the new sandbox id", got)
	}
	for k, v := range got {
		if v == "s3cret" {
			t.Fatalf("annotation value recorded as %s", k)
		}
	}
}

// TestIndexLen: IndexLen counts what Observe taught the index and drops
// back to zero once the pod is removed, and never passes the limit.
func TestIndexLen(t *testing.T) {
	const limit = 3
	a := New(limit)
	ctx := context.Background()
	check := func(step string, wantSandboxes, wantContainers int) {
		t.Helper()
		if sb, c := a.IndexLen(); sb != wantSandboxes || c != wantContainers {
			t.Fatalf("%s: IndexLen = %d sandboxes, %d containers; want %d, %d", step, sb, c, wantSandboxes, wantContainers)
		}
	}
	check("new", 0, 0)
	for i := range limit + 2 {
		sb, c := "sb-"+string(rune('a'+i)), "c-"+string(rune('a'+i))
		a.Observe(ctx, &runtimeapi.RunPodSandboxRequest{Config: &runtimeapi.PodSandboxConfig{
			Metadata: &runtimeapi.PodSandboxMetadata{Name: sb}}}, &runtimeapi.RunPodSandboxResponse{PodSandboxId: sb})
		a.Observe(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: sb, Config: &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: c}}}, &runtimeapi.CreateContainerResponse{ContainerId: c})
	}
	check("past the limit", limit, limit)
	for i := range limit + 2 {
		sb := "sb-" + string(rune('a'+i))
		a.Observe(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: sb}, &runtimeapi.RemovePodSandboxResponse{})
	}
	check("every pod removed", 0, 0)
}
