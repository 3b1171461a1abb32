package daemon_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// A well-formed W3C trace context (https://www.w3.org/TR/trace-context/)
// and its parts, from which the malformed values below are made.
const (
	goodTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	goodSpanID  = "00f067aa0ba902b7"
)

// traceparentCase is one traceparent value sent as raw gRPC metadata.
type traceparentCase struct {
	name  string
	value string
	// parent is what the daemon must do with it: "root" (malformed: a
	// fresh root, sampled by the rules and the rate), "sampled" (join it)
	// or "unsampled" (record nothing).
	parent string
}

func traceparentCases() []traceparentCase {
	good := "00-" + goodTraceID + "-" + goodSpanID + "-01"
	return []traceparentCase{
		{"garbage", "not a traceparent", "root"},
		{"only dashes", "---", "root"},
		{"one character short", good[:len(good)-1], "root"},
		{"one character long", good + "1", "root"},
		{"extra field in version 00", good + "-00", "root"},
		{"trace id one character short", "00-" + goodTraceID[1:] + "-" + goodSpanID + "-01", "root"},
		{"span id one character long", "00-" + goodTraceID + "-" + goodSpanID + "0-01", "root"},
		{"all-zero trace id", "00-" + strings.Repeat("0", 32) + "-" + goodSpanID + "-01", "root"},
		{"all-zero span id", "00-" + goodTraceID + "-" + strings.Repeat("0", 16) + "-01", "root"},
		{"upper-case trace id", "00-" + strings.ToUpper(goodTraceID) + "-" + goodSpanID + "-01", "root"},
		{"upper-case span id", "00-" + goodTraceID + "-" + strings.ToUpper(goodSpanID) + "-01", "root"},
		{"upper-case flags", "00-" + goodTraceID + "-" + goodSpanID + "-0A", "root"},
		{"version ff", "ff-" + goodTraceID + "-" + goodSpanID + "-01", "root"},
		{"non-hex version", "0g-" + goodTraceID + "-" + goodSpanID + "-01", "root"},
		{"non-hex span id", "00-" + goodTraceID + "-" + strings.Repeat("x", 16) + "-01", "root"},
		{"underscores for dashes", strings.ReplaceAll(good, "-", "_"), "root"},
		{"16 KiB of hex", "00-" + strings.Repeat("a", 16<<10), "root"},
		{"16 KiB after a valid value", good + "-" + strings.Repeat("f", 16<<10), "root"},
		// Controls: a valid context is joined, so the cases above can fail.
		{"valid and sampled", good, "sampled"},
		{"valid and not sampled", "00-" + goodTraceID + "-" + goodSpanID + "-00", "unsampled"},
	}
}

// TestMalformedTraceparent sends each traceparent value as raw gRPC
// metadata to the daemon, with a tracestate and a baggage beside it, on a
// call the default rules leave to the rate (RunPodSandbox, at rate 1000000),
// on one they always trace (PullImage, at rate 0) and on one they never
// trace (ListContainers). A malformed value must give each sampled call a
// fresh root span, in a trace of its own, and leave the never rule in force.
func TestMalformedTraceparent(t *testing.T) {
	cases := traceparentCases()
	for _, rate := range []int{1_000_000, 0} {
		t.Run("rate "+strconv.Itoa(rate), func(t *testing.T) {
			recv := startReceiver(t)
			sock := socketPath(t)
			startDaemon(t, sock, "--config", writeConfig(t, tracingConfig(true, recv.Addr(),
				"tracing_sampling_rate_per_million = "+strconv.Itoa(rate))))
			rt, img := rawClients(t, sock)

			// The call each case makes: one the rules leave to the rate, or
			// one they always sample. Its span is found by the name it sends.
			call := func(ctx context.Context, i int) error {
				_, err := rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: &runtimeapi.PodSandboxConfig{
					Metadata: &runtimeapi.PodSandboxMetadata{Name: caseName(i), Namespace: podNamespace, Uid: caseName(i)},
				}})
				return err
			}
			spanName, attr := runtimeRPC("RunPodSandbox"), "k8s.pod.name"
			if rate == 0 {
				call = func(ctx context.Context, i int) error {
					_, err := img.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: caseImage(i)}})
					return err
				}
				spanName, attr = imageRPC("PullImage"), "container.image.name"
			}
			wantLists := 0
			for i, tc := range cases {
				ctx := metadata.NewOutgoingContext(t.Context(), metadata.Pairs(
					"traceparent", tc.value, "tracestate", "congo=t61rcWkgMzE", "baggage", "userId=alice"))
				if err := call(ctx, i); err != nil {
					t.Fatalf("%s: %s: %v", tc.name, spanName, err)
				}
				if _, err := rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{}); err != nil {
					t.Fatalf("%s: ListContainers: %v", tc.name, err)
				}
				if tc.parent == "sampled" {
					wantLists++
				}
			}
			spans := spansBeforeMarker(t, recv, func(ctx context.Context) error {
				_, err := img.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: markerImage}})
				return err
			})

			traces := make(map[string]string)
			for i, tc := range cases {
				var got []otlpreceiver.Span
				for _, s := range otlpreceiver.ByName(spans, spanName) {
					if s.Attributes[attr] == caseName(i) || s.Attributes[attr] == caseImage(i) {
						got = append(got, s)
					}
				}
				checkTraceparentSpans(t, tc, got, traces)
			}
			if got := len(otlpreceiver.ByName(spans, runtimeRPC("ListContainers"))); got != wantLists {
				t.Errorf("ListContainers spans = %d, want %d (only under the valid sampled parent: the never rule holds for roots)", got, wantLists)
			}
		})
	}
}

// checkTraceparentSpans checks the spans one case's call produced. traces
// maps the trace ids of root spans seen so far to their case.
func checkTraceparentSpans(t *testing.T, tc traceparentCase, got []otlpreceiver.Span, traces map[string]string) {
	t.Helper()
	want := 1
	if tc.parent == "unsampled" {
		want = 0
	}
	if len(got) != want {
		t.Errorf("%s: %d server spans, want %d", tc.name, len(got), want)
		return
	}
	if want == 0 {
		return
	}
	s := got[0]
	switch tc.parent {
	case "sampled":
		if s.TraceID != goodTraceID || s.ParentSpanID != goodSpanID {
			t.Errorf("%s: span in trace %s with parent %q, want trace %s, parent %s", tc.name, s.TraceID, s.ParentSpanID, goodTraceID, goodSpanID)
		}
	case "root":
		if s.ParentSpanID != "" {
			t.Errorf("%s: span has parent %s, want a root", tc.name, s.ParentSpanID)
		}
		if s.TraceID == goodTraceID || strings.Contains(strings.ToLower(tc.value), s.TraceID) {
			t.Errorf("%s: root span took its trace id %s from the malformed value", tc.name, s.TraceID)
		}
		if other, dup := traces[s.TraceID]; dup {
			t.Errorf("%s: root span shares trace %s with case %s", tc.name, s.TraceID, other)
		}
		traces[s.TraceID] = tc.name
	}
}

func caseName(i int) string  { return "traceparent-case-" + strconv.Itoa(i) }
func caseImage(i int) string { return "docker.io/library/" + caseName(i) + ":1" }

// rawClients returns CRI clients on a plain gRPC connection to sock, with
// no tracing at all: the test sets the metadata itself.
func rawClients(t *testing.T, sock string) (runtimeapi.RuntimeServiceClient, runtimeapi.ImageServiceClient) {
	t.Helper()
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dialing %s: %v", sock, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return runtimeapi.NewRuntimeServiceClient(conn), runtimeapi.NewImageServiceClient(conn)
}
