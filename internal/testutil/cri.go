package testutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

// DialCRI returns a plain gRPC connection to the CRI server on the unix
// socket sock, closed when t ends. It carries no instrumentation of its
// own: give calls a parent with SampledParent.
func DialCRI(t testing.TB, sock string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dialing %s: %v", sock, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// SampledParent returns ctx with a W3C traceparent in its outgoing gRPC
// metadata, as kubelet sends one: a fresh trace and parent span id, sampled.
// A server that joins the trace records its span whatever its own rate, so
// tests that are not about sampling see every call. It also returns the
// trace id, in lower-case hex.
func SampledParent(ctx context.Context) (context.Context, string) {
	var trace [16]byte
	var span [8]byte
	_, _ = rand.Read(trace[:])
	_, _ = rand.Read(span[:])
	id := hex.EncodeToString(trace[:])
	tp := "00-" + id + "-" + hex.EncodeToString(span[:]) + "-01"
	return metadata.AppendToOutgoingContext(ctx, "traceparent", tp), id
}
