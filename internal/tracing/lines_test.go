package tracing

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestLineLimiter: a storm of state changes writes at most the burst, then
// one catch-up line that counts the rest and gives the state at that time.
func TestLineLimiter(t *testing.T) {
	logger, logs := newLogger()
	l := newLineLimiter(logger, func() string { return "active" })
	l.lim.SetBurst(3)
	l.lim.SetLimit(1 / 0.2) // one token per 200ms, so the catch-up comes quickly
	t.Cleanup(l.stop)
	for i := range 50 {
		l.log(slog.LevelInfo, "tracing: change", "i", i)
	}
	if n := logs.count("tracing: change"); n != 3 {
		t.Fatalf("%d lines written from a burst of 50, want the budget of 3:\n%s", n, logs)
	}
	eventually(t, "the catch-up line", func() bool { return logs.count("lines suppressed") == 1 })
	catchUp := lines(logs, "lines suppressed")[0]
	if !strings.Contains(catchUp, "suppressed=47") || !strings.Contains(catchUp, "state=active") {
		t.Fatalf("catch-up line does not count 47 suppressed lines and give the state: %s", catchUp)
	}
	time.Sleep(300 * time.Millisecond) // a token is back: a new change is logged at once
	l.log(slog.LevelInfo, "tracing: later")
	if n := logs.count("tracing: later"); n != 1 {
		t.Fatalf("a change after the storm was not logged:\n%s", logs)
	}
}

// TestLineLimiterStopCancelsCatchUp: stop before the catch-up is due
// writes nothing more and leaves no timer behind (goleak checks in TestMain).
func TestLineLimiterStopCancelsCatchUp(t *testing.T) {
	logger, logs := newLogger()
	l := newLineLimiter(logger, func() string { return "off" })
	l.lim.SetBurst(1)
	l.log(slog.LevelInfo, "one")
	l.log(slog.LevelInfo, "two")
	l.stop()
	if strings.Contains(logs.String(), "suppressed") || logs.count("two") != 0 {
		t.Fatalf("lines after stop:\n%s", logs)
	}
}
