package bench

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/runtime/embedded"
)

// The floor forward mode is measured against: the least a gRPC proxy can
// do for a call. It decodes nothing — a codec that keeps each message as
// the bytes it came in — and serves every method through one
// UnknownServiceHandler, which opens the same method on the target and
// pumps the request over and the responses back. The trace headers are
// passed on as crio-trace passes them (traceparent, tracestate, baggage),
// so both do the same job.

// bytesCodec hands gRPC messages over as their wire bytes. It registers
// under the name "proto", the codec gRPC picks for CRI calls, in the one
// process that uses it (the raw proxy child).
type bytesCodec struct{}

// rawMsg is one message as bytes.
type rawMsg struct{ b []byte }

func (bytesCodec) Marshal(v any) ([]byte, error) { return v.(*rawMsg).b, nil }

func (bytesCodec) Unmarshal(data []byte, v any) error {
	v.(*rawMsg).b = append([]byte(nil), data...)
	return nil
}

func (bytesCodec) Name() string { return "proto" }

var _ encoding.Codec = bytesCodec{}

// proxyStream is how the proxy opens the target's side of any call: CRI
// has unary and server-streaming calls, each with one request.
var proxyStream = &grpc.StreamDesc{ServerStreams: true}

// serveRawProxy serves the raw proxy on sock in front of target.
func serveRawProxy(e env, sock, target string) served {
	conn, err := grpc.NewClient(target,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(bytesCodec{})))
	if err != nil {
		e.Fatalf("raw proxy: client for %q: %v", target, err)
	}
	e.Cleanup(func() { _ = conn.Close() })
	g := grpc.NewServer(grpc.ForceServerCodec(bytesCodec{}),
		grpc.UnknownServiceHandler(func(_ any, ss grpc.ServerStream) error { return pump(conn, ss) }))
	serveGRPC(e, g, sock)
	return served{}
}

// pump relays one call: the request to the target, then every response
// back, then the target's status.
func pump(conn *grpc.ClientConn, ss grpc.ServerStream) error {
	method, ok := grpc.MethodFromServerStream(ss)
	if !ok {
		return status.Error(codes.Internal, "raw proxy: no method in the stream")
	}
	ctx, cancel := context.WithCancel(traceHeaders(ss.Context()))
	defer cancel()
	var req rawMsg
	if err := ss.RecvMsg(&req); err != nil {
		return err
	}
	cs, err := conn.NewStream(ctx, proxyStream, method)
	if err != nil {
		return err
	}
	if err := cs.SendMsg(&req); err != nil {
		return err
	}
	if err := cs.CloseSend(); err != nil {
		return err
	}
	for {
		var resp rawMsg
		err := cs.RecvMsg(&resp)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ss.SendMsg(&resp); err != nil {
			return err
		}
	}
}

// traceHeaders copies the W3C trace headers of the incoming call onto the
// outgoing one.
func traceHeaders(ctx context.Context) context.Context {
	md, _ := metadata.FromIncomingContext(ctx)
	var kv []string
	for _, k := range []string{"traceparent", "tracestate", "baggage"} {
		for _, v := range md.Get(k) {
			kv = append(kv, k, v)
		}
	}
	if len(kv) == 0 {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

// serveRuntime serves the embedded runtime on a bare grpc.Server on sock:
// no interceptor, no validation, no tracing.
func serveRuntime(e env, sock string) served {
	rt := embedded.New(embedded.Options{})
	e.Cleanup(rt.Close)
	g := grpc.NewServer()
	runtimeapi.RegisterRuntimeServiceServer(g, rt)
	runtimeapi.RegisterImageServiceServer(g, rt)
	serveGRPC(e, g, sock)
	return served{}
}
