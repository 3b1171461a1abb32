package daemon_test

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/internal/tracing"
	"github.com/crio-trace/crio-trace/server"
)

// TestKubeletCallsAsRoots replays, through kubelet's CRI client built
// without a tracer provider (so no call carries a traceparent), every call
// kubelet makes to start, stop and remove a pod, and every call it makes on
// a timer, against the daemon with the default sampling rules. At rate
// 1000000 each call of the pod gets a root span of its own, except those of
// methods kubelet also polls; at rate 0 only PullImage does (its always
// rule). The polled methods start no trace at either rate.
func TestKubeletCallsAsRoots(t *testing.T) {
	polled := append(polledCalls(), streamedCalls()...)
	polledNames := make(map[string]bool)
	for _, c := range polled {
		polledNames[c.span] = true
	}

	t.Run("the never rules name exactly the polled calls", func(t *testing.T) {
		var never []string
		for _, s := range server.DefaultSamplingRules() {
			r, err := tracing.ParseRule(s)
			if err != nil {
				t.Fatalf("default rule %q: %v", s, err)
			}
			if r.PerMillion == 0 {
				never = append(never, r.Pattern)
			}
		}
		slices.Sort(never)
		if want := slices.Sorted(maps.Keys(polledNames)); !slices.Equal(never, want) {
			t.Fatalf("never rules %q\nwant exactly the polled calls %q", never, want)
		}
	})

	for _, rate := range []int{1_000_000, 0} {
		t.Run("rate "+strconv.Itoa(rate), func(t *testing.T) {
			recv := startReceiver(t)
			sock := socketPath(t)
			startDaemon(t, sock, "--config", writeConfig(t, tracingConfig(true, recv.Addr(),
				"tracing_sampling_rate_per_million = "+strconv.Itoa(rate))))
			ctx := klogContext(t)
			k := newKubelet(ctx, t, sock, nil)
			ks := newStreamingKubelet(ctx, t, sock)

			start, stop := podStartStopCalls(testPod)
			p := &podRun{uid: podUID}
			if err := replay(ctx, k, p, start); err != nil {
				t.Fatalf("starting the pod: %v", err)
			}
			// The container runs: what kubelet polls meanwhile.
			if err := replay(ctx, k, p, polledCalls()); err != nil {
				t.Fatalf("polled calls: %v", err)
			}
			if err := replay(ctx, ks, p, streamedCalls()); err != nil {
				t.Fatalf("streamed polled calls: %v", err)
			}
			if err := replay(ctx, k, p, stop); err != nil {
				t.Fatalf("stopping the pod: %v", err)
			}
			spans := spansBeforeMarker(t, recv, func(context.Context) error {
				_, err := k.img.PullImage(ctx, &runtimeapi.ImageSpec{Image: markerImage}, nil, nil)
				return err
			})

			want := make(map[string]int)
			for _, c := range append(start, stop...) {
				switch {
				case polledNames[c.span]:
					t.Logf("%s (%s) is also polled: no root span of its own", c.span, c.caller)
				case rate == 1_000_000 || c.span == imageRPC("PullImage"):
					want[c.span]++
				}
			}
			got := make(map[string]int)
			traces := make(map[string]string)
			for _, s := range spans {
				got[s.Name]++
				if s.ParentSpanID != "" {
					t.Errorf("%s span has parent %s, want a root", s.Name, s.ParentSpanID)
				}
				if other, dup := traces[s.TraceID]; dup {
					t.Errorf("%s and %s share trace %s, want a fresh trace each", other, s.Name, s.TraceID)
				}
				traces[s.TraceID] = s.Name
			}
			for _, name := range slices.Sorted(maps.Keys(polledNames)) {
				if got[name] != 0 {
					t.Errorf("polled %s got %d root spans, want none", name, got[name])
				}
			}
			if !maps.Equal(got, want) {
				t.Fatalf("root server spans per method = %v\nwant %v", got, want)
			}
		})
	}
}

// newStreamingKubelet builds kubelet's clients with streaming on, so the
// list calls go out as their Stream* RPCs; they carry no trace context.
func newStreamingKubelet(ctx context.Context, t *testing.T, sock string) *kubelet {
	t.Helper()
	c := testutil.NewKubelet(ctx, t, "unix://"+sock, testutil.KubeletOptions{Streaming: true})
	return &kubelet{rt: c.Runtime, img: c.Image}
}

// spansBeforeMarker pulls the marker image with pull, as a root call (the
// default rules always sample it), waits for its span, and returns every
// other server span the daemon exported. Spans are exported in the order
// they end, so once the marker's has arrived, a span that is missing stays
// missing.
func spansBeforeMarker(t *testing.T, recv *otlpreceiver.Receiver, pull func(context.Context) error) []otlpreceiver.Span {
	t.Helper()
	if err := pull(t.Context()); err != nil {
		t.Fatalf("marker PullImage: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	spans, err := recv.WaitFor(ctx, hasMarker)
	if err != nil {
		t.Fatalf("marker span never arrived: %v; got %q", err, spanNames(spans))
	}
	var out []otlpreceiver.Span
	for _, s := range serverSpans(spans) {
		if s.Attributes["container.image.name"] != markerImage {
			out = append(out, s)
		}
	}
	return out
}
