package testutil

import (
	"bytes"
	"strings"
	"sync"
)

// SyncBuffer is a bytes.Buffer that is safe to read while other goroutines
// write to it: a logger, or an exec.Cmd copying a child's stdout or stderr.
// The zero value is an empty buffer ready to use.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Count returns how many lines written so far contain substr.
func (s *SyncBuffer) Count(substr string) int {
	return CountLines(s.String(), substr)
}

// CountLines returns how many lines of text contain substr.
func CountLines(text, substr string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n
}
