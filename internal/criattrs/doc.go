// Package criattrs puts the allow-listed Kubernetes attributes of a CRI
// call — pod name, namespace and uid, container name, image, ids, runtime
// handler — on the call's server span, and hands the same attributes to the
// per-call log record. It is the CRI half of what crio-trace records: the
// tracing kit (internal/tracing) knows nothing about CRI, and this package
// knows nothing about transports, so CRI-O's port (hack/crio-port) copies it
// as it is.
//
// Most CRI calls after RunPodSandbox and CreateContainer carry only an id.
// An Annotator remembers, in a bounded index, the names behind the ids those
// two calls hand out, so a StopContainer span names its pod and container
// too. Only allow-listed values are kept, copied out of the requests.
//
// Guideline step 4: attributes (enhancements/distributed-tracing-with-opentelemetry.md).
package criattrs
