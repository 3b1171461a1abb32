package forward

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Passing calls through. A Backend can serve both CRI services itself
// without decoding them: each request's bytes go to the runtime as they
// came, and the runtime's answer comes back the same way. Nothing but the
// fields the span's attributes and the id index need is ever decoded, and
// only when they are needed (see skeleton.go and criattrs.Undecoded).
// Requests are not validated on the way: the runtime validates them and
// its errors pass through unchanged.

// Frame is one CRI message kept as its protobuf encoding. It implements
// criattrs.Undecoded. A Frame belongs to one call and is not safe for
// concurrent use.
type Frame struct {
	method string
	skel   *skeleton
	b      []byte
	msg    any
	done   bool // msg is decoded
}

// CRIMethod returns the full gRPC method of the call the message belongs to.
func (f *Frame) CRIMethod() string { return f.method }

// CRIMessage returns the message as its generated type holding the fields
// CRI attributes are read from, decoded on first use; nil when the call
// has none.
func (f *Frame) CRIMessage() any {
	if !f.done {
		f.done = true
		if f.skel != nil {
			f.msg = f.skel.decode(f.b)
		}
	}
	return f.msg
}

// Len returns the size of the message's encoding in bytes.
func (f *Frame) Len() int { return len(f.b) }

// frameCodec moves a Frame as its bytes and anything else as protobuf. It
// is the codec of a grpc.Server serving passed-through calls and of the
// calls the Backend makes with Frames.
type frameCodec struct{ proto encoding.CodecV2 }

var codec = frameCodec{proto: encoding.GetCodecV2("proto")}

func (c frameCodec) Marshal(v any) (mem.BufferSlice, error) {
	if f, ok := v.(*Frame); ok {
		return mem.BufferSlice{mem.SliceBuffer(f.b)}, nil
	}
	return c.proto.Marshal(v)
}

func (c frameCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if f, ok := v.(*Frame); ok {
		f.b = data.Materialize()
		return nil
	}
	return c.proto.Unmarshal(data, v)
}

// Name is "proto": the content subtype of every CRI call.
func (frameCodec) Name() string { return "proto" }

// wireCodec is codec without a name, for the calls the Backend makes. A
// forced codec's name becomes the call's content subtype
// ("application/grpc+proto"); without one the call goes out as
// "application/grpc", as kubelet's client sends it. CRI-O needs exactly
// that: it serves gRPC and HTTP on one socket and hands a connection to its
// gRPC server only when the first request's content-type is
// "application/grpc" (cmux, cmd/crio/main.go in CRI-O v1.34.0); any other
// value gets the connection closed.
type wireCodec struct{ frameCodec }

// Name is empty: no content subtype.
func (wireCodec) Name() string { return "" }

// frameCall makes a downstream call carry Frames.
var frameCall = []grpc.CallOption{grpc.ForceCodecV2(wireCodec{codec})}

// relayStream opens the runtime's side of a server-streaming call.
var relayStream = &grpc.StreamDesc{ServerStreams: true}

// PassthroughCodec returns the server option a grpc.Server needs to hand
// the services RegisterPassthrough registers their calls undecoded. Other
// services on the same server keep protobuf.
func (b *Backend) PassthroughCodec() grpc.ServerOption { return grpc.ForceServerCodecV2(codec) }

// RegisterPassthrough registers on r the RuntimeService and ImageService,
// every call passed on to the runtime as bytes. annotate runs before each
// unary call goes on, with the request; observe after it succeeded, with
// request and response; both get *Frame values (criattrs.Undecoded) and may
// be nil. Server-streaming calls are relayed message by message. The server
// must be built with PassthroughCodec.
func (b *Backend) RegisterPassthrough(r grpc.ServiceRegistrar, annotate func(context.Context, any), observe func(context.Context, any, any)) {
	if annotate == nil {
		annotate = func(context.Context, any) {}
	}
	if observe == nil {
		observe = func(context.Context, any, any) {}
	}
	for _, sd := range []*grpc.ServiceDesc{&runtimeapi.RuntimeService_ServiceDesc, &runtimeapi.ImageService_ServiceDesc} {
		desc := *sd
		desc.Methods = make([]grpc.MethodDesc, len(sd.Methods))
		for i, m := range sd.Methods {
			desc.Methods[i] = grpc.MethodDesc{MethodName: m.MethodName, Handler: b.unaryHandler("/"+sd.ServiceName+"/"+m.MethodName, annotate, observe)}
		}
		desc.Streams = make([]grpc.StreamDesc, len(sd.Streams))
		for i, s := range sd.Streams {
			s.Handler = b.streamHandler("/" + sd.ServiceName + "/" + s.StreamName)
			desc.Streams[i] = s
		}
		r.RegisterService(&desc, b)
	}
}

// unaryHandler passes one unary method through.
func (b *Backend) unaryHandler(method string, annotate func(context.Context, any), observe func(context.Context, any, any)) func(any, context.Context, func(any) error, grpc.UnaryServerInterceptor) (any, error) {
	sk := skeletons[method]
	info := &grpc.UnaryServerInfo{Server: b, FullMethod: method}
	call := func(ctx context.Context, req any) (any, error) {
		in := req.(*Frame)
		annotate(ctx, in)
		if err := b.awaitConn(ctx); err != nil {
			return nil, err
		}
		out := &Frame{method: method, skel: sk.resp}
		if err := b.conn.Invoke(outgoing(ctx), method, in, out, frameCall...); err != nil {
			return nil, b.wrapErr(err)
		}
		observe(ctx, in, out)
		return out, nil
	}
	return func(_ any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
		in := &Frame{method: method, skel: sk.req}
		if err := dec(in); err != nil {
			return nil, err
		}
		if ic == nil {
			return call(ctx, in)
		}
		return ic(ctx, in, info, call)
	}
}

// streamHandler relays one server-streaming method: the request over, then
// every message back until the runtime ends the stream, under the caller's
// stream context, so the caller's cancellation or deadline ends it.
func (b *Backend) streamHandler(method string) grpc.StreamHandler {
	sk := skeletons[method]
	return func(_ any, ss grpc.ServerStream) error {
		in := &Frame{method: method, skel: sk.req}
		if err := ss.RecvMsg(in); err != nil {
			return err
		}
		ctx := ss.Context()
		if err := b.awaitConn(ctx); err != nil {
			return err
		}
		// Cancelling on return tears the downstream stream down when Send
		// fails before the runtime is done.
		ctx, cancel := context.WithCancel(outgoing(ctx))
		defer cancel()
		cs, err := b.conn.NewStream(ctx, relayStream, method, frameCall...)
		if err != nil {
			return b.wrapErr(err)
		}
		// io.EOF means the runtime ended the stream already; RecvMsg below
		// returns its status.
		if err := cs.SendMsg(in); err != nil && !errors.Is(err, io.EOF) {
			return b.wrapErr(err)
		}
		if err := cs.CloseSend(); err != nil {
			return b.wrapErr(err)
		}
		for {
			out := &Frame{method: method, skel: sk.resp}
			err := cs.RecvMsg(out)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return b.wrapErr(err)
			}
			if err := ss.SendMsg(out); err != nil {
				return err
			}
		}
	}
}
