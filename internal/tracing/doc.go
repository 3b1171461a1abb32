// Package tracing is the kit a Go gRPC component copies to get OpenTelemetry
// tracing right. It knows nothing about CRI; crio-trace's server and daemon
// are its worked example, and the guideline
// (enhancements/distributed-tracing-with-opentelemetry.md) walks through it
// step by step.
//
// The pieces, in the order a component uses them:
//
//   - Config: CRI-O's [crio.tracing] keys plus tracing_* extensions,
//     DefaultConfig, Validate (every bad key at once) and ApplyEnv (the
//     OTEL_* variables, with a documented precedence).
//   - Loader and AddFlags: a component's own TOML table ([kvstore.tracing])
//     and CRI-O's three flags, read with that precedence.
//   - Provider: the SDK pipeline (resource, parent-based rule sampler,
//     bounded batch export over OTLP gRPC or HTTP), its state — off, active,
//     detached — collector detection with a backoff probe, Reload for SIGHUP,
//     and Shutdown.
//   - Server: serves gRPC with the otelgrpc server handler installed only
//     while the Provider is active. Switching swaps whole grpc.Server
//     generations on one listener, so an uninstrumented server carries no
//     stats handler at all.
//   - Provider.DialOptions: the client side, for calls made onward.
//   - NewTracer and Tracer.Start, RecordError, RecordRPCError, AllowList:
//     inner spans, failures and attributes by allow-list; Interceptor: one
//     place per server for status conversion, error recording and the log
//     record of each call.
//   - LogHandler: trace_id and span_id on every slog line made with a
//     context that holds a span.
//
// Shutdown order matters: Server.Shutdown first (in-flight RPCs finish and
// end their spans), then Provider.Shutdown (the spans are flushed).
package tracing
