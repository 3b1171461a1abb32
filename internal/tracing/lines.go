package tracing

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Bounds on the provider's own log lines. Each state change is one line, but
// a collector that flaps, or a supervisor that sends SIGHUP in a loop, could
// still make hundreds a minute: past a burst of lineBurst lines, one line per
// lineEvery gets through, and what was held back is summed up in one line
// as soon as the budget allows, with the state at that moment, so the last
// word in the log is always the current state.
const (
	lineBurst = 8
	lineEvery = 10 * time.Second
)

// lineLimiter writes the provider's lines through a token bucket
// (golang.org/x/time/rate). It is safe for concurrent use and may be called
// with the provider's lock held: it never blocks.
type lineLimiter struct {
	logger *slog.Logger
	now    func() string // the current state, for the catch-up line

	mu      sync.Mutex
	lim     *rate.Limiter
	held    int
	timer   *time.Timer
	pending sync.WaitGroup // a scheduled catch-up line
	stopped bool
}

func newLineLimiter(logger *slog.Logger, now func() string) *lineLimiter {
	return &lineLimiter{logger: logger, now: now, lim: rate.NewLimiter(rate.Every(lineEvery), lineBurst)}
}

// log writes the line if the budget allows, and otherwise counts it and
// makes sure a catch-up line follows.
func (l *lineLimiter) log(level slog.Level, msg string, args ...any) {
	l.mu.Lock()
	if l.lim.Allow() {
		if l.held > 0 && l.timer == nil {
			args = append(args, "lines_suppressed_before", l.held)
			l.held = 0
		}
		l.mu.Unlock()
		l.logger.Log(context.Background(), level, msg, args...)
		return
	}
	l.held++
	if l.timer == nil && !l.stopped {
		r := l.lim.Reserve() // the catch-up line's token
		l.pending.Add(1)
		l.timer = time.AfterFunc(r.Delay(), l.catchUp)
	}
	l.mu.Unlock()
}

func (l *lineLimiter) catchUp() {
	defer l.pending.Done()
	l.mu.Lock()
	n := l.held
	l.held, l.timer = 0, nil
	stopped := l.stopped
	l.mu.Unlock()
	if n == 0 || stopped {
		return
	}
	l.logger.Warn("tracing: log lines suppressed: the state changed too often to log each change",
		"suppressed", n, "state", l.now())
}

// stop cancels a scheduled catch-up line and waits for one already running.
func (l *lineLimiter) stop() {
	l.mu.Lock()
	l.stopped = true
	if l.timer != nil && l.timer.Stop() {
		l.timer = nil
		l.pending.Done()
	}
	l.mu.Unlock()
	l.pending.Wait()
}
