package testutil

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestSyncBuffer(t *testing.T) {
	tests := []struct {
		name    string
		writers int
		each    int
	}{
		{name: "one writer", writers: 1, each: 100},
		{name: "many writers", writers: 8, each: 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b SyncBuffer
			var wg sync.WaitGroup
			for w := range tc.writers {
				wg.Go(func() {
					for range tc.each {
						fmt.Fprintf(&b, "writer=%d\n", w)
						_ = b.String() // a concurrent read; -race checks it
					}
				})
			}
			wg.Wait()
			if got, want := strings.Count(b.String(), "\n"), tc.writers*tc.each; got != want {
				t.Errorf("%d lines, want %d", got, want)
			}
			if got, want := b.Count("writer=0"), tc.each; got != want {
				t.Errorf("Count(writer=0) = %d, want %d", got, want)
			}
		})
	}
}

func TestCountLines(t *testing.T) {
	tests := []struct {
		name, text, substr string
		want               int
	}{
		{name: "empty text", text: "", substr: "x", want: 0},
		{name: "one per line", text: "a x\nb\nc x\n", substr: "x", want: 2},
		{name: "twice on one line counts once", text: "x x\n", substr: "x", want: 1},
		{name: "no trailing newline", text: "x\nx", substr: "x", want: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CountLines(tc.text, tc.substr); got != tc.want {
				t.Errorf("CountLines(%q, %q) = %d, want %d", tc.text, tc.substr, got, tc.want)
			}
		})
	}
}
