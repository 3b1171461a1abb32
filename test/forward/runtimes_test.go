package forward

import (
	"testing"

	"github.com/crio-trace/crio-trace/test/harness"
)

// runtimeCase is a real runtime the end-to-end tests put crio-trace in
// front of. Each test runs once per case, as a subtest named after it.
type runtimeCase struct {
	// name is the subtest name.
	name string
	// svc is the service.name on the runtime's own spans.
	svc string
	// start brings up a registry and the runtime with its own tracing off.
	start func(t *testing.T) *harness.Env
	// startTraced brings it up exporting its own spans, every one sampled,
	// over OTLP gRPC to endpoint.
	startTraced func(t *testing.T, endpoint string) *harness.Env
}

// runtimes are containerd (Debian's; upstream v1.6.20 when traced, since
// Debian's build has no tracing plugins) and CRI-O v1.34.0.
var runtimes = []runtimeCase{
	{
		name:  "containerd",
		svc:   svcContainerd,
		start: func(t *testing.T) *harness.Env { return harness.Start(t) },
		startTraced: func(t *testing.T, endpoint string) *harness.Env {
			harness.RequireRoot(t)
			bin := harness.UpstreamContainerd(t, harness.FindTools(t))
			return harness.StartWith(t, harness.ContainerdOptions{Binary: bin, ExtraConfig: harness.TracingConfig(endpoint)})
		},
	},
	{
		name:  "crio",
		svc:   svcCrio,
		start: func(t *testing.T) *harness.Env { return harness.StartWithCrio(t, harness.CrioOptions{}) },
		startTraced: func(t *testing.T, endpoint string) *harness.Env {
			return harness.StartWithCrio(t, harness.CrioOptions{Tracing: endpoint})
		},
	},
}

// forEachRuntime runs test as a subtest per runtime.
func forEachRuntime(t *testing.T, test func(t *testing.T, rc runtimeCase)) {
	for _, rc := range runtimes {
		t.Run(rc.name, func(t *testing.T) { test(t, rc) })
	}
}
