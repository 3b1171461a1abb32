package main

import (
	"context"
	"log/slog"
	"time"

	"golang.org/x/time/rate"
)

// reloadLog bounds the lines SIGHUP writes. One line per SIGHUP is what an
// operator expects, but a supervisor that sends SIGHUP in a loop must not
// flood the log: past a burst of 8, one line per 10 s, and the first line
// written after a quiet spell says how many were left out.
type reloadLog struct {
	logger *slog.Logger
	lim    *rate.Limiter
	held   int // only the signal loop calls line: no lock needed
}

func newReloadLog(logger *slog.Logger) *reloadLog {
	return &reloadLog{logger: logger, lim: rate.NewLimiter(rate.Every(10*time.Second), 8)}
}

// line writes msg at level if the budget allows, else counts it.
func (r *reloadLog) line(level slog.Level, msg string, args ...any) {
	if !r.lim.Allow() {
		r.held++
		return
	}
	if r.held > 0 {
		args = append(args, "sighup_lines_suppressed_before", r.held)
		r.held = 0
	}
	r.logger.Log(context.Background(), level, msg, args...)
}
