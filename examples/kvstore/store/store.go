// Package store is the kvstore example's storage: values in memory, each
// operation an inner span below the RPC that asked for it.
package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// ErrNotFound is returned by Get for a key that was never Put.
var ErrNotFound = errors.New("no such key")

// Store keeps values in memory. The zero value is not usable; call New.
// A Store is safe for concurrent use.
type Store struct {
	mu sync.Mutex
	m  map[string]entry
}

type entry struct {
	value   []byte
	version int64
}

// New returns an empty Store.
func New() *Store { return &Store{m: map[string]entry{}} }

// Put stores a copy of value under key and returns the key's new version,
// counting from 1. It fails only when ctx is done.
func (s *Store) Put(ctx context.Context, key string, value []byte) (version int64, err error) {
	// guideline:begin kvstore-inner-span
	ctx, span := tracer.Start(ctx, SpanWrite)
	defer span.End()
	defer func() { tracing.RecordError(span, err) }()
	// guideline:end kvstore-inner-span
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("storing key %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[key]
	e.value, e.version = append([]byte(nil), value...), e.version+1
	s.m[key] = e
	return e.version, nil
}

// Get returns a copy of the value under key and its version, or an error
// wrapping ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) (value []byte, version int64, err error) {
	ctx, span := tracer.Start(ctx, SpanRead)
	defer span.End()
	defer func() {
		if !errors.Is(err, ErrNotFound) { // a miss is an answer, not a failure
			tracing.RecordError(span, err)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("reading key %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok {
		return nil, 0, fmt.Errorf("key %q: %w", key, ErrNotFound)
	}
	return append([]byte(nil), e.value...), e.version, nil
}
