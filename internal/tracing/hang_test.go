package tracing

import (
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// TestHangingCollector: a collector that accepts TCP and never answers OTLP
// passes a TCP probe but not the kit's OTLP check. The component starts
// detached with exactly one line giving the reason, stays detached through
// many probe rounds without another line (no "restored / removed" cycle),
// and is restored with exactly one line once a working collector takes the
// port.
func TestHangingCollector(t *testing.T) {
	for _, proto := range []string{ProtocolGRPC, ProtocolHTTP} {
		t.Run(proto, func(t *testing.T) {
			silent, err := otlpreceiver.StartSilent("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(silent.Stop)
			cfg := testConfig(silent.Addr())
			cfg.Protocol = proto
			logger, logs := newLogger()
			start := time.Now()
			s := startStack(t, cfg, logger)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("start-up took %s with a hanging collector, want the check bounded (1s)", took)
			}
			if st := s.p.State(); st != StateDetached {
				t.Fatalf("state %v with a hanging collector, want detached:\n%s", st, logs)
			}
			// Many probe rounds (interval 100ms, each bounded by 1s).
			deadline := time.Now().Add(3 * time.Second)
			for time.Now().Before(deadline) {
				s.call(t, 1)
				if s.srv.Instrumented() {
					t.Fatalf("instrumented while the collector hangs:\n%s", logs)
				}
				time.Sleep(20 * time.Millisecond) // pacing the calls, not waiting for a condition
			}
			if silent.Accepted() < 2 {
				t.Fatalf("the probe connected %d times in 3s, want it to keep checking", silent.Accepted())
			}
			warn := lines(logs, "level=WARN")
			if len(warn) != 1 || !strings.Contains(warn[0], "no OTLP answer within") {
				t.Fatalf("want exactly one warning naming the missing OTLP answer, got %d:\n%s", len(warn), logs)
			}
			if n := logs.count("restored"); n != 0 {
				t.Fatalf("%d 'restored' lines while the collector hangs:\n%s", n, logs)
			}

			addr := silent.Addr()
			silent.Stop()
			r, err := otlpreceiver.StartWith(addr, otlpreceiver.Options{HTTP: proto == ProtocolHTTP})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(r.Stop)
			eventually(t, "instrumentation to come back", s.srv.Instrumented)
			waitSpans(t, r, s, 2)
			if n := logs.count("instrumentation restored"); n != 1 {
				t.Fatalf("%d 'restored' lines, want 1:\n%s", n, logs)
			}
			if n := len(lines(logs, "level=WARN")); n != 1 {
				t.Fatalf("%d warnings in all, want only the first:\n%s", n, logs)
			}
		})
	}
}
