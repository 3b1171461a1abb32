// Package server is the CRI server of crio-trace: a slice of CRI-O's
// server/ that serves every RPC of the Kubernetes CRI v1 RuntimeService (37)
// and ImageService (6), as of k8s.io/cri-api v0.37.2, and hands the work to a
// Backend — the embedded runtime, or a client that forwards to containerd or
// CRI-O.
//
// # Layout
//
// One file per RPC, named resource_verb.go as CRI-O names them, so a CRI-O
// maintainer finds each handler where they expect it:
//
//	sandbox_run.go        RunPodSandbox     (cri-o/cri-o server/sandbox_run.go)
//	container_create.go   CreateContainer   (cri-o/cri-o server/container_create.go)
//	container_start.go    StartContainer    (cri-o/cri-o server/container_start.go)
//	image_pull.go         PullImage         (cri-o/cri-o server/image_pull.go)
//	container_exec_sync.go ExecSync         (cri-o/cri-o server/container_execsync.go)
//	runtime_config_update.go UpdateRuntimeConfig
//	                                        (cri-o/cri-o server/container_updateruntimeconfig.go)
//	...                   and the other 37
//
// Around them, one file per job:
//
//	server.go        Server, New, Register, ServerOptions
//	interceptor.go   the one place that logs each call, records its error on
//	                 the span, converts errors to gRPC status and recovers panics
//	attributes.go    the attribute keys, the allow-list, and which request
//	                 fields feed which key
//	index.go         ids learned from RunPodSandbox and CreateContainer
//	validate_*.go    the checks requests must pass before the backend sees them
//
// Where CRI-O's handlers do the work themselves (server/sandbox_run_linux.go
// runs to hundreds of lines), these delegate it, so each stays a dozen
// lines: annotate the span, validate, call the backend, note the new id.
//
// # Tracing
//
// The daemon installs otelgrpc's server stats handler, which makes the one
// SERVER span of each RPC, named runtime.v1.RuntimeService/<Method> or
// runtime.v1.ImageService/<Method>, child of the kubelet's CLIENT span. The
// Server makes no span of its own for an RPC — CRI-O makes more than one
// (otelgrpc's, plus one in its interceptor,
// internal/log/interceptors/interceptors.go, which also logs whole requests
// and responses at debug level). Instead the Server adds to that one span:
//
//   - the pod, container and image the call is about, under the semantic
//     convention keys k8s.pod.name, k8s.namespace.name, k8s.pod.uid,
//     k8s.container.name, container.id, container.image.name, and
//     cri.sandbox.id, cri.runtime_handler where no convention exists. Calls
//     that carry only an id get the names from a bounded index filled by
//     RunPodSandbox and CreateContainer and emptied by Remove*;
//   - the error, as rpc.grpc.status_code and an exception event, with the
//     span status Error only for codes that mean the server failed.
//
// Attributes pass an allow-list. Pull credentials (AuthConfig), environment
// values, annotations, labels, mounts and command lines have no key on it and
// are recorded nowhere, neither on spans nor in logs, at any level.
//
// When the span does not record (tracing off, or the kubelet's trace not
// sampled) no attribute is built: a handler allocates nothing beyond what
// its backend does, except the index entry a new sandbox or container needs.
//
// # Validation
//
// Requests are checked only for what the CRI contract requires and what
// containerd and CRI-O reject too — the pod's metadata on RunPodSandbox,
// the ids on calls about one object, the image on image calls — so that
// critest gives the same results against a runtime directly and through
// crio-trace. A failure is codes.InvalidArgument naming the field by its
// proto path, e.g. "config.metadata.name is required".
package server
