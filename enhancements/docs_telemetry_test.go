package enhancements

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// documents are the files whose span names and attribute keys must be what
// the code emits: the README, the guideline and docs/.
func documents(t *testing.T) map[string]string {
	t.Helper()
	paths := []string{filepath.Join(root, "README.md"), guideline}
	more, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(more) == 0 {
		t.Fatalf("no docs/*.md (%v): is the checker still reading docs/?", err)
	}
	out := map[string]string{}
	for _, p := range append(paths, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = string(b)
	}
	return out
}

// TestDocsNameOnlyEmittedTelemetry checks every span name, attribute key and
// event name that the README, the guideline and docs/*.md mention against
// what the daemon really emits (emittedTelemetry), and fails on each one it
// never emits: a renamed span or key, a step that was planned and never
// built, a convention name the code does not set.
func TestDocsNameOnlyEmittedTelemetry(t *testing.T) {
	e := crioEmitted(t)
	tables := parseTemplate(crioTraceConfig(t))
	ns := e.namespaces()
	seen := map[string]bool{}
	for path, md := range documents(t) {
		refs := telemetryRefs(path, md, ns, tables)
		t.Logf("%s: %d span names, attribute keys and event names checked", path, len(refs))
		for _, r := range refs {
			seen[r.Name] = true
		}
		for _, err := range checkNames(refs, e) {
			t.Error(err)
		}
	}
	// Names every one of these documents set must still be found, or the
	// checker has stopped reading them.
	for _, n := range []string{"crio.image.pull", "k8s.pod.name", "cri.sandbox.id", "runtime.v1.RuntimeService/RunPodSandbox", "service.name"} {
		if !seen[n] {
			t.Errorf("no document mentions %s any more: is the checker still reading them?", n)
		}
	}
	if t.Failed() {
		t.Logf("emitted spans: %v\nemitted attributes: %v\nemitted events: %v", sorted(e.Spans), sorted(e.Attributes), sorted(e.Events))
	}
}

// rpcCount is the README's claim of how many CRI RPCs crio-trace serves.
var rpcCount = regexp.MustCompile(`all (\d+) RPCs of ` + "`k8s.io/cri-api`")

// TestReadmeRPCCount checks the README's count of CRI RPCs against the
// services the server implements (and otelgrpc names spans after).
func TestReadmeRPCCount(t *testing.T) {
	md := documents(t)[filepath.Join(root, "README.md")]
	m := rpcCount.FindStringSubmatch(md)
	if m == nil {
		t.Fatalf("the README no longer says %q", rpcCount)
	}
	want := 0
	for _, d := range []struct{ methods, streams int }{
		{len(runtimeapi.RuntimeService_ServiceDesc.Methods), len(runtimeapi.RuntimeService_ServiceDesc.Streams)},
		{len(runtimeapi.ImageService_ServiceDesc.Methods), len(runtimeapi.ImageService_ServiceDesc.Streams)},
	} {
		want += d.methods + d.streams
	}
	if got, _ := strconv.Atoi(m[1]); got != want {
		t.Errorf("README says all %d RPCs; RuntimeService and ImageService have %d", got, want)
	}
}

// TestTelemetryCheckerCatchesDrift runs the name checker on small synthetic
// documents: it must accept what is emitted and what is not telemetry
// (config keys, files, modules, hosts, Go code), and reject a name the code
// does not emit.
func TestTelemetryCheckerCatchesDrift(t *testing.T) {
	e := emitted{
		Spans: map[string]bool{
			"runtime.v1.RuntimeService/RunPodSandbox": true, "runtime.v1.ImageService/PullImage": true,
			"crio.image.pull": true,
		},
		Attributes: map[string]bool{"k8s.pod.name": true, "telemetry.sdk.name": true, "service.name": true},
		Events:     map[string]bool{"image.stored": true},
	}
	tables := parseTemplate(fakeConfig)
	tests := []struct {
		name    string
		md      string
		wantErr string // "" means accepted
	}{
		{name: "emitted span, key and event", md: "`crio.image.pull` sets `k8s.pod.name`, then event image.stored.\n"},
		{name: "RPC span and placeholder", md: "runtime.v1.RuntimeService/RunPodSandbox and `runtime.v1.ImageService/<Method>`\n"},
		{name: "wildcard with an emitted key", md: "the SDK's `telemetry.sdk.*`\n"},
		{name: "namespace wildcard is no key", md: "look up `k8s.*` and `error.*` first\n"},
		{name: "span name in a waterfall", md: "crio-trace │  └─ crio.image.pull   +1.15ms\n"},
		{name: "attribute in a log line", md: "service.name=kubelet\n"},
		{name: "config table and key", md: "[crio.tracing] and crio.runtime.runtime_endpoint\n"},
		{name: "files, modules, hosts, URLs", md: "server.go, crio.conf, k8s.io/cri-api, host.docker.io, https://k8s.io/x.y.z\n"},
		{name: "Go selectors", md: "```go\nserver.New(backend)\nrpc.grpc.x(\n```\n"},
		{name: "not-emitted inner span", md: "(`crio.sandbox.run`)\n", wantErr: "crio.sandbox.run is named in the docs"},
		{name: "misspelt key", md: "`k8s.pod.names`\n", wantErr: "k8s.pod.names is named"},
		{name: "unknown method", md: "runtime.v1.RuntimeService/RunPod\n", wantErr: "runtime.v1.RuntimeService/RunPod is named"},
		{name: "unknown event in an emitted namespace", md: "event image.pulled\n", wantErr: "image.pulled is named"},
		{name: "wildcard nothing matches", md: "`container.runtime.*`\n", wantErr: "container.runtime.* is named"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			refs := telemetryRefs("doc.md", tc.md, e.namespaces(), tables)
			errs := checkNames(refs, e)
			switch {
			case tc.wantErr == "" && len(errs) > 0:
				t.Errorf("rejected: %v", errs)
			case tc.wantErr != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.wantErr)):
				t.Errorf("errors %v, want one containing %q (refs %v)", errs, tc.wantErr, refs)
			}
		})
	}
}
