package store

import "github.com/crio-trace/crio-trace/internal/tracing"

// Porting step P5: one Tracer per package, named after the package, so the
// spans carry kvstore's instrumentation scope and not the kit's
// (enhancements/distributed-tracing-with-opentelemetry.md).
// guideline:begin kvstore-tracer

// tracer starts the store's inner spans under this package's scope.
var tracer = tracing.NewTracer("github.com/crio-trace/crio-trace/examples/kvstore/store")

// Names of the store's inner spans: stable, dotted kvstore.<resource>.<step>
// constants, never derived from Go symbols.
const (
	// SpanWrite covers storing a value in Put.
	SpanWrite = "kvstore.store.write"
	// SpanRead covers looking a value up in Get.
	SpanRead = "kvstore.store.read"
)

// guideline:end kvstore-tracer
