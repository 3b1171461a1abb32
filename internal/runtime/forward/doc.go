// Package forward is the backend that hands every CRI call on to a real
// container runtime (containerd, CRI-O) listening on a unix socket.
//
// The CRI server validates a request, sets its span attributes and then calls
// a Backend; this package's Backend answers each of the 43 RuntimeService and
// ImageService RPCs by making the same call on the runtime and returning the
// runtime's answer unchanged: responses, gRPC status codes and messages,
// deadlines and cancellation all pass through, and server-streaming RPCs are
// relayed message by message.
//
// Trace context travels onward in one of two ways. With tracing on, the
// caller's dial options carry otelgrpc's client handler, which makes each
// downstream call a CLIENT span under the RPC's server span and injects its
// own traceparent. With tracing off there is no span in the context, and the
// Backend copies the caller's traceparent, tracestate and baggage metadata
// (and nothing else) onto the downstream call, so the runtime's spans still
// join kubelet's trace.
//
// A runtime that is down, at start or later, never stops the daemon: calls
// answer codes.Unavailable within about a second, naming the endpoint, the
// connection comes back by itself, and each change (connected, lost,
// reconnected) is logged once.
package forward
