package daemon_test

import (
	"syscall"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// TestHangingCollector runs the real binary against a collector that
// accepts connections and never answers OTLP: from the start (detached,
// exactly one line, however many calls follow) and after it had been
// answering (spans queued for a collector that now hangs). In both cases
// SIGTERM exits 0 within 15 s: the flush is bounded.
func TestHangingCollector(t *testing.T) {
	for _, tc := range []struct {
		name        string
		answerFirst bool
	}{
		{name: "hangs from the start"},
		{name: "hangs after answering", answerFirst: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeAddr(t)
			var recv *otlpreceiver.Receiver
			if tc.answerFirst {
				var err error
				if recv, err = otlpreceiver.Start(addr); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(recv.Stop)
			}
			var silent *otlpreceiver.Silent
			hang := func() {
				var err error
				if silent, err = otlpreceiver.StartSilent(addr); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(silent.Stop)
			}
			if !tc.answerFirst {
				hang()
			}
			sock := socketPath(t)
			d := startDaemon(t, sock, "--config", writeConfig(t, tracingConfig(true, addr)))
			tp, _ := newKubeletProvider(t, sdktrace.AlwaysSample(), "")
			ctx := klogContext(t)
			k := newKubelet(ctx, t, sock, tp)
			if tc.answerFirst {
				callUntilSpan(ctx, t, k, tp, recv)
				recv.Stop()
				hang()
			}
			for range manyCalls {
				tracedCall(ctx, t, k, tp)
			}
			if !tc.answerFirst {
				stderr := d.WaitLog(t, logRemoved, 1)
				if n := testutil.CountLines(stderr, "no OTLP answer within"); n != 1 {
					t.Fatalf("%d lines naming the missing OTLP answer, want 1:\n%s", n, stderr)
				}
				if n := testutil.CountLines(stderr, "level=WARN") + testutil.CountLines(stderr, "level=ERROR"); n != 1 {
					t.Fatalf("%d warning/error lines with a hanging collector, want 1:\n%s", n, stderr)
				}
				if n := testutil.CountLines(stderr, logRestored); n != 0 {
					t.Fatalf("'restored' while the collector hangs:\n%s", stderr)
				}
			}
			start := time.Now()
			d.Signal(t, syscall.SIGTERM)
			select {
			case <-d.Done():
			case <-time.After(termWithin):
				t.Fatalf("daemon still running %s after SIGTERM with a hanging collector:\n%s", termWithin, d.Stderr.String())
			}
			if code := d.Wait(t); code != 0 {
				t.Fatalf("exit code %d, want 0:\n%s", code, d.Stderr.String())
			}
			t.Logf("SIGTERM to exit with a hanging collector: %s", time.Since(start).Round(time.Millisecond))
		})
	}
}
