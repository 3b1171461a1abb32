package daemon_test

import (
	"context"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/stats"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// TestSIGTERMDrainsInFlightPull sends SIGTERM while a slow PullImage is in
// flight: the call must complete, its span must reach the collector (drained
// before flushed) and the daemon must exit 0.
func TestSIGTERMDrainsInFlightPull(t *testing.T) {
	const latency = 2 * time.Second
	recv := startReceiver(t)
	sock := socketPath(t)
	cfg := tracingConfig(true, recv.Addr()) + "\n[crio.runtime]\nembedded_pull_latency = \"" + latency.String() + "\"\n"
	d := startDaemon(t, sock, "--config", writeConfig(t, cfg))

	sent := &requestSent{ch: make(chan struct{})}
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithStatsHandler(sent))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	type result struct {
		resp *runtimeapi.PullImageResponse
		err  error
		took time.Duration
	}
	done := make(chan result, 1)
	go func() {
		start := time.Now()
		resp, err := runtimeapi.NewImageServiceClient(conn).PullImage(t.Context(), &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: testImage}})
		done <- result{resp, err, time.Since(start)}
	}()
	select {
	case <-sent.ch:
	case <-time.After(startTimeout):
		t.Fatal("PullImage request never left the client")
	}
	// The request is on the wire before the signal, so the server's
	// graceful stop counts it in.
	d.Signal(t, syscall.SIGTERM)
	d.WaitLog(t, "crio-trace stopping", 1)
	select {
	case r := <-done:
		t.Fatalf("PullImage returned (%v) before the daemon began stopping; the test proves nothing", r.err)
	default:
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(exitTimeout):
		t.Fatal("PullImage did not return")
	}
	if r.err != nil || r.resp.GetImageRef() == "" {
		t.Fatalf("in-flight PullImage = %v, %v; want success", r.resp, r.err)
	}
	if r.took < latency {
		t.Errorf("PullImage took %s, less than the configured %s", r.took, latency)
	}
	if code := d.Wait(t); code != 0 {
		t.Fatalf("exit code = %d, want 0\n%s", code, d.Stderr.String())
	}
	// The daemon has exited, so the span is there or lost; no waiting.
	pulls := otlpreceiver.ByName(serverSpans(recv.Spans()), imageRPC("PullImage"))
	if len(pulls) != 1 {
		t.Fatalf("PullImage server spans = %d, want 1; got %q", len(pulls), spanNames(recv.Spans()))
	}
	if pulls[0].Duration() < latency {
		t.Errorf("PullImage span lasted %s, want at least %s", pulls[0].Duration(), latency)
	}
	if inner := otlpreceiver.Children(recv.Spans(), pulls[0]); len(otlpreceiver.ByName(inner, "crio.image.pull")) != 1 {
		t.Errorf("children of the PullImage span = %q, want crio.image.pull", spanNames(inner))
	}
}

// requestSent is a client stats handler that closes ch once a request
// message has been handed to the transport.
type requestSent struct {
	ch   chan struct{}
	once sync.Once
}

var _ stats.Handler = (*requestSent)(nil)

func (r *requestSent) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (r *requestSent) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (r *requestSent) HandleConn(context.Context, stats.ConnStats) {}

func (r *requestSent) HandleRPC(_ context.Context, s stats.RPCStats) {
	if _, ok := s.(*stats.OutPayload); ok {
		r.once.Do(func() { close(r.ch) })
	}
}

// TestSIGTERMRightAfterStart sends SIGTERM the moment the socket file
// appears, as a supervisor watching for the socket would: a daemon that has
// bound its socket must already handle SIGTERM and shut down cleanly (exit
// 0, socket removed), not die of the signal's default action.
func TestSIGTERMRightAfterStart(t *testing.T) {
	const rounds = 10
	for i := range rounds {
		sock := socketPath(t)
		d := startProcess(t, "--listen", sock)
		// Poll without pausing: the window between bind and the signal
		// handler is microseconds wide.
		deadline := time.Now().Add(startTimeout)
		for {
			if _, err := os.Lstat(sock); err == nil {
				break
			}
			if d.Exited() || time.Now().After(deadline) {
				t.Fatalf("round %d: socket %s never appeared\nstderr:\n%s", i, sock, d.Stderr.String())
			}
		}
		d.Signal(t, syscall.SIGTERM)
		if code := d.Wait(t); code != 0 {
			t.Fatalf("round %d: exit code = %d after SIGTERM once %s existed, want 0 "+
				"(-1: killed by the signal, which the daemon did not handle yet)\nstderr:\n%s", i, code, sock, d.Stderr.String())
		}
		if _, err := os.Stat(sock); err == nil {
			t.Fatalf("round %d: socket %s left behind", i, sock)
		}
	}
}
