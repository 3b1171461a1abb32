package waterfall_test

import (
	"os"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/waterfall"
)

func ExampleText() {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	spans := []otlpreceiver.Span{
		{TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "b7ad6b7169203331", Service: "kubelet",
			Name: "runtime.v1.RuntimeService/RunPodSandbox", Kind: "CLIENT", Start: at(0), End: at(400)},
		{TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "00f067aa0ba902b7", ParentSpanID: "b7ad6b7169203331",
			Service: "crio-trace", Name: "runtime.v1.RuntimeService/RunPodSandbox", Kind: "SERVER", Start: at(5), End: at(395),
			Attributes: map[string]string{"k8s.pod.name": "nginx", "cri.sandbox.id": "3f2a1b4c5d6e7f8091a2b3c4"}},
		{TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "53995c3f42cd8ad8", ParentSpanID: "00f067aa0ba902b7",
			Service: "crio-trace", Name: "crio.sandbox.run", Start: at(200), End: at(390),
			StatusCode: otlpreceiver.StatusError, StatusMessage: "creating network namespace: permission denied"},
	}
	_ = waterfall.Text(os.Stdout, spans, waterfall.Options{Width: 100})
	// Output:
	// Trace 0af7651916cd43dd8448eb211c80319c · 3 spans · 2 services · 400ms · 1 error
	// SERVICE    SPAN                                          START DURATION │0                    400ms│
	// kubelet    runtime.v1.RuntimeService/RunPodSandbox        +0ms    400ms │██████████████████████████│
	// crio-trace └─ runtime.v1.RuntimeService/RunPodSandbox  +5.00ms    390ms │██████████████████████████│
	//               │  pod=nginx  sandbox=3f2a1b4c5d6e
	// crio-trace    └─ ✗ crio.sandbox.run                     +200ms    190ms │             ████████████ │
	//                     ✗ ERROR: creating network namespace: permission denied
}
