package forward

import (
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestContentType: the runtime sees the content-type kubelet's client
// sends, "application/grpc", whichever way the front serves. CRI-O closes
// the connection of a call whose content-type is anything else (even
// "application/grpc+proto"), before gRPC sees it.
func TestContentType(t *testing.T) { eachFront(t, testContentType) }

func testContentType(t *testing.T, fr front) {
	c := newChain(t, Options{}, fr)
	direct := runtimeapi.NewRuntimeServiceClient(dial(t, c.down.path))
	if _, err := direct.Version(callCtx(t), &runtimeapi.VersionRequest{}); err != nil {
		t.Fatalf("Version, direct: %v", err)
	}
	md, _ := c.runtime.last()
	want := md.Get("content-type")
	if len(want) != 1 || want[0] != "application/grpc" {
		t.Fatalf("a plain gRPC client's call arrives with content-type %q; the check below would prove nothing", want)
	}
	if _, err := c.rtClient.Version(callCtx(t), &runtimeapi.VersionRequest{}); err != nil {
		t.Fatalf("Version through the Backend: %v", err)
	}
	md, _ = c.runtime.last()
	if got := md.Get("content-type"); len(got) != 1 || got[0] != want[0] {
		t.Errorf("through the Backend the runtime got content-type %q, want %q", got, want)
	}
}
