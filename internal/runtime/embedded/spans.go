package embedded

import "github.com/crio-trace/crio-trace/internal/tracing"

// tracer starts the embedded runtime's inner spans, under an instrumentation
// scope named after this package.
var tracer = tracing.NewTracer("github.com/crio-trace/crio-trace/internal/runtime/embedded")

// Names of the inner spans the embedded runtime starts below an RPC's server
// span. They follow the project convention crio.<resource>.<step>, are stable
// across releases and are never derived from Go symbols. Each one times a step
// that a real runtime performs as a separate piece of work, so a trace of the
// embedded runtime has the same shape as one of CRI-O.
// Guideline step 4: inner span names (enhancements/distributed-tracing-with-opentelemetry.md).
const (
	// SpanImagePull covers the (simulated) download of an image in
	// PullImage, including Options.PullLatency.
	SpanImagePull = "crio.image.pull"
	// SpanSandboxNetwork covers the pod network set-up in RunPodSandbox.
	SpanSandboxNetwork = "crio.sandbox.network"
	// SpanSandboxInfra covers the creation of the infra (pause) container
	// in RunPodSandbox.
	SpanSandboxInfra = "crio.sandbox.infra"
	// SpanContainerStart covers starting the container process in
	// StartContainer; it records the failure of a failing container.
	SpanContainerStart = "crio.container.start"
	// SpanContainerStop covers stopping the container process in
	// StopContainer.
	SpanContainerStop = "crio.container.stop"
)

// Event names added to the spans above to mark the phases of a step.
const (
	eventPullResolved   = "image.resolved"
	eventPullDownloaded = "image.downloaded"
	eventPullStored     = "image.stored"
)
