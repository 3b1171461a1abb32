// Package kv serves the kvstore example's KV API (package kvpb) over a
// Backend: the in-memory store on the last hop, or the next kvstore on the
// way there (Upstream). Handlers stay thin: they annotate the server span,
// validate and delegate; tracing.Interceptor turns their errors into gRPC
// statuses and records them.
package kv

import (
	"context"
	"errors"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/crio-trace/crio-trace/examples/kvstore/kvpb"
	"github.com/crio-trace/crio-trace/examples/kvstore/store"
)

// MaxKeyLen is the longest key accepted, in bytes.
const MaxKeyLen = 256

// Backend is where a Server keeps values: a *store.Store, or Upstream.
type Backend interface {
	Put(ctx context.Context, key string, value []byte) (version int64, err error)
	Get(ctx context.Context, key string) (value []byte, version int64, err error)
}

// Server implements kvpb.KVServer over a Backend. It is safe for
// concurrent use when its Backend is.
type Server struct {
	kvpb.UnimplementedKVServer
	backend Backend
}

// NewServer returns a Server over b.
func NewServer(b Backend) *Server { return &Server{backend: b} }

// guideline:begin kvstore-handler

// Put stores req's value under its key. The key goes on the span; the value
// never does.
func (s *Server) Put(ctx context.Context, req *kvpb.PutRequest) (*kvpb.PutResponse, error) {
	annotate(ctx, req)
	if err := validKey(req.GetKey()); err != nil {
		return nil, err
	}
	v, err := s.backend.Put(ctx, req.GetKey(), req.GetValue())
	if err != nil {
		return nil, err // tracing.Interceptor converts and records it
	}
	allowList.Set(ctx, AttrVersion.Int64(v))
	return &kvpb.PutResponse{Version: v}, nil
}

// guideline:end kvstore-handler

// Get returns the value under req's key, or NotFound.
func (s *Server) Get(ctx context.Context, req *kvpb.GetRequest) (*kvpb.GetResponse, error) {
	annotate(ctx, req)
	if err := validKey(req.GetKey()); err != nil {
		return nil, err
	}
	value, v, err := s.backend.Get(ctx, req.GetKey())
	if errors.Is(err, store.ErrNotFound) {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	if err != nil {
		return nil, err
	}
	allowList.Set(ctx, AttrVersion.Int64(v))
	return &kvpb.GetResponse{Value: value, Version: v}, nil
}

// validKey returns InvalidArgument naming the field unless key is 1 to
// MaxKeyLen bytes of UTF-8.
func validKey(key string) error {
	if key == "" || len(key) > MaxKeyLen || !utf8.ValidString(key) {
		return status.Errorf(codes.InvalidArgument, "key: %d bytes is invalid: accepted 1 to %d bytes of UTF-8", len(key), MaxKeyLen)
	}
	return nil
}
