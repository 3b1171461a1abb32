package testutil

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// DefaultInterval is how often Eventually and WaitFor check their condition.
const DefaultInterval = 10 * time.Millisecond

// Poll calls cond every interval until it returns true, returns an error
// made by Stop, or timeout passes. An ordinary error from cond means "not
// yet": polling goes on and the last such error is returned, wrapped, on
// timeout. cond runs at least once, and once more at the deadline.
//
// Tests poll a condition with a deadline instead of sleeping: the wait is
// as short as the machine allows and bounded when it is slow.
func Poll(timeout, interval time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		var stop stopPolling
		if errors.As(err, &stop) {
			return stop.err
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = errors.New("condition never held")
			}
			return fmt.Errorf("after %s: %w", timeout, err)
		}
		<-tick.C
	}
}

// PollUntilNil is Poll for a check that says why it does not hold yet: it
// calls check every DefaultInterval until it returns nil, and on timeout
// returns the last reason.
func PollUntilNil(timeout time.Duration, check func() error) error {
	return Poll(timeout, DefaultInterval, func() (bool, error) {
		err := check()
		return err == nil, err
	})
}

// Stop wraps err so that Poll returns it at once instead of polling on:
// for a condition that can no longer come true (the process exited, the
// context ended).
func Stop(err error) error { return stopPolling{err} }

type stopPolling struct{ err error }

func (s stopPolling) Error() string { return s.err.Error() }
func (s stopPolling) Unwrap() error { return s.err }

// Eventually reports whether cond held within timeout, checking it every
// DefaultInterval.
func Eventually(timeout time.Duration, cond func() bool) bool {
	return Poll(timeout, DefaultInterval, func() (bool, error) { return cond(), nil }) == nil
}

// WaitFor fails t, naming what it waited for, unless cond holds within
// timeout. It checks cond every DefaultInterval.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Eventually(timeout, cond) {
		t.Fatalf("timed out after %s waiting for %s", timeout, what)
	}
}
