package kv

import (
	"context"

	"github.com/crio-trace/crio-trace/examples/kvstore/kvpb"
)

// Upstream is a Backend that serves each call by making the same call to
// the next kvstore. Its client connection carries the tracing dial options
// (tracing.Provider.DialOptions), so each call is a CLIENT span below the
// RPC being served and carries traceparent to the next hop. Errors of the
// next hop are gRPC statuses and pass through unchanged.
type Upstream struct {
	Client kvpb.KVClient
}

// Put implements Backend.
func (u Upstream) Put(ctx context.Context, key string, value []byte) (int64, error) {
	resp, err := u.Client.Put(ctx, &kvpb.PutRequest{Key: key, Value: value})
	return resp.GetVersion(), err
}

// Get implements Backend.
func (u Upstream) Get(ctx context.Context, key string) ([]byte, int64, error) {
	resp, err := u.Client.Get(ctx, &kvpb.GetRequest{Key: key})
	return resp.GetValue(), resp.GetVersion(), err
}
