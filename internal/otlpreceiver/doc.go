// Package otlpreceiver is a small OTLP trace receiver that runs inside the
// calling process, on a loopback address: OTLP/gRPC by default, OTLP/HTTP
// (binary protobuf) and TLS or mutual TLS with [StartWith]. [StartSilent]
// is a collector that accepts connections and never answers.
//
// Tests use it to receive the spans a component exports over the real wire
// protocol (the OpenTelemetry SDK and its otlptracegrpc exporter on one side,
// a grpc.Server serving opentelemetry.proto.collector.trace.v1.TraceService on
// the other), and the demo uses it as its embedded default collector.
//
// Received spans are flattened into [Span] values: ids in lower-case hex,
// every attribute value rendered as a string, the resource's service.name
// lifted out. [Receiver.WaitFor] blocks until the spans seen so far satisfy a
// condition, so tests never sleep. [Receiver.Connections] counts accepted
// transport connections, so a test can prove that a component with tracing
// switched off never dialled the collector at all.
//
// See https://opentelemetry.io/docs/specs/otlp/ for the protocol.
package otlpreceiver
