package main

import (
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// TestStopSignals checks that each stop signal reaches the channel main
// waits on (and so ends pause with exit 0) instead of killing the process.
func TestStopSignals(t *testing.T) {
	tests := []struct {
		name string
		sig  syscall.Signal
	}{
		{name: "SIGTERM", sig: syscall.SIGTERM},
		{name: "SIGINT", sig: syscall.SIGINT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stop := stopSignals()
			t.Cleanup(func() { signal.Stop(stop) })
			if err := syscall.Kill(os.Getpid(), tc.sig); err != nil {
				t.Fatalf("sending %s: %v", tc.name, err)
			}
			select {
			case got := <-stop:
				if got != tc.sig {
					t.Fatalf("received %v, want %v", got, tc.sig)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s not received within 10s", tc.name)
			}
		})
	}
}
