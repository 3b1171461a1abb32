package tracing

import (
	"context"
	"sync"
	"testing"
	"time"
)

// parkProbe makes the first probe that finds a collector wait at its
// callback until release is called; parked is closed once it waits there.
func parkProbe(t *testing.T) (parked <-chan struct{}, release func()) {
	t.Helper()
	at, gate := make(chan struct{}), make(chan struct{})
	var first, rel sync.Once
	hook := func() {
		first.Do(func() {
			close(at)
			<-gate
		})
	}
	testHookProbeUp.Store(&hook)
	release = func() { rel.Do(func() { close(gate) }) }
	t.Cleanup(func() { release(); testHookProbeUp.Store(nil) })
	return at, release
}

// within fails the test unless fn returns within d.
func within(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %s: blocked behind the probe", what, d)
	}
}

// TestNoDeadlockWhenCollectorReturnsDuringReloadOrShutdown parks the probe
// at the moment the collector came back, and reloads or shuts down while it
// waits there. Before the fix, Reload and Shutdown held the provider's lock
// while waiting for the probe, whose callback needs that lock: the daemon
// hung for good on a SIGHUP or SIGTERM that met a returning collector. Now
// the probe's callback finds the probe replaced and steps aside, the action
// returns, and while the probe is parked neither State nor an RPC waits.
func TestNoDeadlockWhenCollectorReturnsDuringReloadOrShutdown(t *testing.T) {
	for _, tc := range []struct {
		name string
		act  func(ctx context.Context, s *stack, cfg Config) error
		want State
	}{
		{name: "reload switches off", want: StateOff, act: func(ctx context.Context, s *stack, cfg Config) error {
			cfg.Enabled = false
			return s.p.Reload(ctx, cfg)
		}},
		{name: "reload changes endpoint", want: StateDetached, act: func(ctx context.Context, s *stack, cfg Config) error {
			cfg.Endpoint = freeAddr(t)
			return s.p.Reload(ctx, cfg)
		}},
		{name: "shutdown", want: StateOff, act: func(ctx context.Context, s *stack, _ Config) error {
			return s.p.Shutdown(ctx)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeAddr(t)
			cfg := testConfig(addr)
			logger, _ := newLogger()
			s := startStack(t, cfg, logger)
			if s.p.State() != StateDetached {
				t.Fatalf("state %v with no collector, want detached", s.p.State())
			}
			parked, release := parkProbe(t)
			startReceiver(t, addr)
			select {
			case <-parked:
			case <-time.After(10 * time.Second):
				t.Fatal("the probe never found the collector")
			}
			done := make(chan error, 1)
			go func() { done <- tc.act(t.Context(), s, cfg) }()
			// While the probe is parked and the action runs, the state and
			// the RPC path answer at once.
			within(t, time.Second, "State", func() { s.p.State() })
			if tc.name != "shutdown" {
				within(t, 2*time.Second, "an RPC", func() { s.call(t, 1) })
			}
			release()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("action failed: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("deadlock: the action did not return within 5s of the probe's release")
			}
			if got := s.p.State(); got != tc.want {
				t.Fatalf("state %v after the action, want %v: the stale probe must not reattach", got, tc.want)
			}
		})
	}
}
