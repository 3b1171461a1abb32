package waterfall_test

import (
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// sampleTraceID is the trace id of sampleTrace.
const sampleTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"

// sampleStart is when sampleTrace begins.
var sampleStart = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// span builds a span of sampleTrace from offsets in milliseconds.
func span(id, parent, service, name, kind string, fromMS, toMS float64, attrs map[string]string) otlpreceiver.Span {
	ms := func(v float64) time.Time { return sampleStart.Add(time.Duration(v * float64(time.Millisecond))) }
	if attrs == nil {
		attrs = map[string]string{}
	}
	return otlpreceiver.Span{
		TraceID: sampleTraceID, SpanID: id, ParentSpanID: parent,
		Name: name, Kind: kind, Service: service, Scope: "test",
		Start: ms(fromMS), End: ms(toMS),
		Attributes: attrs,
		Resource:   map[string]string{"service.name": service},
		StatusCode: otlpreceiver.StatusUnset,
	}
}

// sampleTrace is a pod start as kubelet and crio-trace trace it: kubelet's
// syncPod with a CLIENT span per CRI call, crio-trace's SERVER spans under
// them and inner spans below, and a failed StartContainer. It is returned
// shuffled (not in tree order) to prove the renderers sort.
func sampleTrace() []otlpreceiver.Span {
	const (
		sandbox   = "3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708"
		container = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"
	)
	pod := map[string]string{"k8s.pod.name": "nginx-7c5ddbdf54-x2vq9", "k8s.namespace.name": "default"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	failed := span("00000000000000c4", "00000000000000c3", "crio-trace", "runtime.v1.RuntimeService/StartContainer", "SERVER", 742, 790,
		with(pod, "k8s.container.name", "web", "container.id", container, "rpc.grpc.status_code", "13"))
	failed.StatusCode = otlpreceiver.StatusError
	failed.StatusMessage = `starting container "web": exec: "nginx": executable file not found in $PATH`
	failed.Events = []otlpreceiver.Event{{Name: "exception", Time: failed.End,
		Attributes: map[string]string{"exception.message": failed.StatusMessage}}}
	return []otlpreceiver.Span{
		failed,
		// kubelet's span for this call was not exported: an orphan.
		span("00000000000000d1", "00000000000000d0", "crio-trace", "runtime.v1.RuntimeService/Version", "SERVER", 1, 2,
			map[string]string{"rpc.response.status_code": "OK"}),
		span("00000000000000b2", "00000000000000b1", "crio-trace", "crio.image.pull", "INTERNAL", 318, 596,
			map[string]string{"container.image.name": "docker.io/library/nginx:1.27"}),
		span("00000000000000a1", "0000000000000001", "kubelet", "runtime.v1.RuntimeService/RunPodSandbox", "CLIENT", 8, 305, nil),
		span("0000000000000001", "", "kubelet", "syncPod", "INTERNAL", 0, 800, pod),
		span("00000000000000a2", "00000000000000a1", "crio-trace", "runtime.v1.RuntimeService/RunPodSandbox", "SERVER", 10, 302,
			with(pod, "cri.sandbox.id", sandbox, "cri.runtime_handler", "runc", "rpc.response.status_code", "OK")),
		span("00000000000000a3", "00000000000000a2", "crio-trace", "crio.sandbox.run", "INTERNAL", 15, 296,
			map[string]string{"cri.sandbox.id": sandbox}),
		span("00000000000000b0", "0000000000000001", "kubelet", "runtime.v1.ImageService/PullImage", "CLIENT", 310, 600, nil),
		span("00000000000000b1", "00000000000000b0", "crio-trace", "runtime.v1.ImageService/PullImage", "SERVER", 312, 598,
			with(pod, "container.image.name", "docker.io/library/nginx:1.27")),
		span("00000000000000c0", "0000000000000001", "kubelet", "runtime.v1.RuntimeService/CreateContainer", "CLIENT", 602, 735, nil),
		span("00000000000000c1", "00000000000000c0", "crio-trace", "runtime.v1.RuntimeService/CreateContainer", "SERVER", 604, 733,
			with(pod, "k8s.container.name", "web", "container.image.name", "docker.io/library/nginx:1.27", "cri.sandbox.id", sandbox)),
		span("00000000000000c3", "0000000000000001", "kubelet", "runtime.v1.RuntimeService/StartContainer", "CLIENT", 740, 795, nil),
	}
}
