package anchors

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// probe is one run per system that measures one or more rows.
type probe struct {
	// rows and how name each row the probe fills and say how it is
	// measured, in the order run returns their cells.
	rows, how []string
	run       func(t *testing.T, c column) []cell
}

// spansWait bounds the wait for a system's spans: exporters batch for up
// to 5 s.
const spansWait = 30 * time.Second

// quietWait is how long a check waits to be sure nothing more arrives.
const quietWait = 8 * time.Second

// probes are the checks, cheapest first.
var probes = []probe{
	{
		rows: []string{
			"SERVER spans per RPC and their parent",
			"CRI domain attributes present",
			"error status on a failing call",
			"secrets in spans",
			"secrets in the log at debug level",
		},
		how: []string{
			"kubelet's client runs a pod lifecycle (PullImage with credentials, RunPodSandbox, CreateContainer, StartContainer, StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox) and a failing PullImage under a sampled `syncPod` span; for each call, the system's SERVER spans below kubelet's CLIENT span are counted, and the system's other spans whose name ends in the RPC's name.",
			"the same run: which of " + fmt.Sprint(attributeKeys) + " appear on any of the system's spans.",
			"the same run: the system's SERVER span of the PullImage of an image the registry lacks — its status, and the gRPC code attribute.",
			"the same run: the pull credentials (password, auth, identity and registry tokens) and the container's environment value, searched in every span name, attribute, resource, status message and event of the system.",
			"the same run with the system at log level debug: the same secrets searched in the system's own log.",
		},
		run: probeTraced,
	},
	{
		rows: []string{"tracing disabled: spans and connections to the collector"},
		how: []string{
			"tracing off (CRI-O `enable_tracing = false`, containerd without the OTLP processor, crio-trace without `--enable-tracing`), with the collector address still configured; the lifecycle runs, then the collector waits 8 s more: spans received and TCP connections accepted.",
		},
		run: probeOff,
	},
	{
		rows: []string{"rate 0 with a sampled parent"},
		how: []string{
			"sampling rate 0 (CRI-O `tracing_sampling_rate_per_million = 0`, containerd `sampling_ratio = 0.0`, crio-trace `--tracing-sampling-rate-per-million 0`); the lifecycle runs under kubelet's sampled span: calls with a SERVER span of the system below kubelet's CLIENT span.",
		},
		run: probeRateZero,
	},
}

// probeTraced runs the lifecycle with the system tracing every span at
// debug level and measures the rows of the first probe.
func probeTraced(t *testing.T, c column) []cell {
	recv := startReceiver(t)
	s := c.start(t, setup{tracing: true, endpoint: recv.Addr(), rate: 1000000, debug: true})
	k := newKubelet(t, s.endpoint, recv.Addr())
	res := lifecycle(t, k, s.env.BusyboxImage)
	traceID := res.root.TraceID().String()
	spans := waitSpans(t, recv, func(all []otlpreceiver.Span) bool {
		tr := otlpreceiver.Trace(all, traceID)
		// Every call made, the failing pull included, has its server span.
		return len(of(tr, c.svc, kindServer)) >= len(lifecycleMethods)+1
	})
	tr := otlpreceiver.Trace(spans, traceID)
	return []cell{
		spansPerRPC(tr, c.svc, lifecycleMethods),
		attributes(tr, c.svc),
		errorStatus(tr, c.svc),
		secretsIn(spanText(of(spans, c.svc, ""))),
		secretsIn(s.log(t)),
	}
}

// probeOff runs the lifecycle with the system's tracing off and counts what
// reached its collector.
func probeOff(t *testing.T, c column) []cell {
	kubeletRecv := startReceiver(t)
	recv := startReceiver(t)
	s := c.start(t, setup{tracing: false, endpoint: recv.Addr()})
	k := newKubelet(t, s.endpoint, kubeletRecv.Addr())
	lifecycle(t, k, s.env.BusyboxImage)
	time.Sleep(quietWait) // nothing to poll for: the check is that nothing comes
	spans, conns := len(recv.Spans()), recv.Connections()
	text := fmt.Sprintf("%d spans, %d connections", spans, conns)
	switch {
	case spans == 0 && conns == 0:
		return []cell{{text: text, score: 2, measured: true}}
	case spans == 0:
		return []cell{{text: text, score: 1, measured: true}}
	default:
		return []cell{{text: text, measured: true}}
	}
}

// probeRateZero runs the lifecycle under kubelet's sampled span with the
// system's rate at 0.
func probeRateZero(t *testing.T, c column) []cell {
	recv := startReceiver(t)
	s := c.start(t, setup{tracing: true, endpoint: recv.Addr(), rate: 0})
	k := newKubelet(t, s.endpoint, recv.Addr())
	res := lifecycle(t, k, s.env.BusyboxImage)
	traceID := res.root.TraceID().String()
	ctx, cancel := context.WithTimeout(t.Context(), spansWait)
	defer cancel()
	spans, _ := recv.WaitFor(ctx, func(all []otlpreceiver.Span) bool {
		return len(of(otlpreceiver.Trace(all, traceID), c.svc, kindServer)) >= len(lifecycleMethods)+1
	})
	tr := otlpreceiver.Trace(spans, traceID)
	traced := spansPerRPC(tr, c.svc, lifecycleMethods)
	calls, n := len(lifecycleMethods)+1, len(of(tr, c.svc, kindServer))
	if traced.score > 0 {
		return []cell{{text: fmt.Sprintf("follows the parent: %d of %d calls traced", n, calls), score: 1, measured: true}}
	}
	return []cell{{text: fmt.Sprintf("%d of %d calls traced", n, calls), measured: true}}
}

// startReceiver starts an in-process OTLP receiver stopped when t ends.
func startReceiver(t *testing.T) *otlpreceiver.Receiver {
	t.Helper()
	r, err := otlpreceiver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("starting the OTLP receiver: %v", err)
	}
	t.Cleanup(r.Stop)
	return r
}

// waitSpans waits until cond holds for the spans received, failing t
// after spansWait.
func waitSpans(t *testing.T, recv *otlpreceiver.Receiver, cond func([]otlpreceiver.Span) bool) []otlpreceiver.Span {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), spansWait)
	defer cancel()
	spans, err := recv.WaitFor(ctx, cond)
	if err != nil {
		t.Fatalf("waiting for spans: %v", err)
	}
	return spans
}
