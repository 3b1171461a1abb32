package testutil

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	errNotYet := errors.New("not yet")
	errGone := errors.New("gone for good")
	tests := []struct {
		name      string
		cond      func(calls int) (bool, error)
		wantErr   error  // errors.Is target; nil means success
		wantMsg   string // substring of the error
		wantCalls func(n int) bool
	}{
		{
			name:      "holds at once",
			cond:      func(int) (bool, error) { return true, nil },
			wantCalls: func(n int) bool { return n == 1 },
		},
		{
			name:      "holds on the third call",
			cond:      func(n int) (bool, error) { return n >= 3, nil },
			wantCalls: func(n int) bool { return n == 3 },
		},
		{
			name:      "never holds",
			cond:      func(int) (bool, error) { return false, nil },
			wantMsg:   "after 50ms: condition never held",
			wantCalls: func(n int) bool { return n >= 2 },
		},
		{
			name:      "last error is returned on timeout",
			cond:      func(int) (bool, error) { return false, errNotYet },
			wantErr:   errNotYet,
			wantMsg:   "after 50ms: not yet",
			wantCalls: func(n int) bool { return n >= 2 },
		},
		{
			name:      "Stop ends polling at once",
			cond:      func(int) (bool, error) { return false, Stop(errGone) },
			wantErr:   errGone,
			wantCalls: func(n int) bool { return n == 1 },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := Poll(50*time.Millisecond, time.Millisecond, func() (bool, error) {
				calls++
				return tc.cond(calls)
			})
			switch {
			case tc.wantErr == nil && tc.wantMsg == "":
				if err != nil {
					t.Fatalf("Poll: %v, want success", err)
				}
			case err == nil:
				t.Fatal("Poll succeeded, want an error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Poll error %v does not wrap %v", err, tc.wantErr)
			}
			if tc.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tc.wantMsg)) {
				t.Errorf("Poll error %v, want it to contain %q", err, tc.wantMsg)
			}
			if !tc.wantCalls(calls) {
				t.Errorf("cond called %d times", calls)
			}
		})
	}
}

func TestEventually(t *testing.T) {
	var flag atomic.Bool
	time.AfterFunc(20*time.Millisecond, func() { flag.Store(true) })
	if !Eventually(5*time.Second, flag.Load) {
		t.Error("Eventually missed a condition that came true after 20ms")
	}
	if Eventually(30*time.Millisecond, func() bool { return false }) {
		t.Error("Eventually reported a condition that never held")
	}
}

func TestWaitForFailsNamingWhat(t *testing.T) {
	rec := &recorder{TB: t}
	rec.run(func() { WaitFor(rec, 20*time.Millisecond, "the moon", func() bool { return false }) })
	if want := "timed out after 20ms waiting for the moon"; rec.fatal != want {
		t.Errorf("WaitFor failed with %q, want %q", rec.fatal, want)
	}
	rec = &recorder{TB: t}
	rec.run(func() { WaitFor(rec, time.Second, "something true", func() bool { return true }) })
	if rec.fatal != "" {
		t.Errorf("WaitFor failed on a condition that held: %q", rec.fatal)
	}
}
