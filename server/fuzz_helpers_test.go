package server

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// criMethod is one method of the CRI API with its request and response
// types, taken from the generated service descriptions and the proto file,
// so that no method can be left out.
type criMethod struct {
	service, name string
	unary         *grpc.MethodDesc // nil for a stream
	stream        *grpc.StreamDesc
	req, resp     protoreflect.MessageType
}

func (m criMethod) full() string { return m.service + "/" + m.name }

// criMethods returns all 43 CRI methods.
func criMethods(tb testing.TB) []criMethod {
	tb.Helper()
	var out []criMethod
	for _, sd := range []grpc.ServiceDesc{runtimeapi.RuntimeService_ServiceDesc, runtimeapi.ImageService_ServiceDesc} {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(sd.ServiceName))
		if err != nil {
			tb.Fatalf("service %s: %v", sd.ServiceName, err)
		}
		methods := d.(protoreflect.ServiceDescriptor).Methods()
		add := func(name string, unary *grpc.MethodDesc, stream *grpc.StreamDesc) {
			md := methods.ByName(protoreflect.Name(name))
			req, err1 := protoregistry.GlobalTypes.FindMessageByName(md.Input().FullName())
			resp, err2 := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
			if err1 != nil || err2 != nil {
				tb.Fatalf("%s/%s: request %v, response %v", sd.ServiceName, name, err1, err2)
			}
			out = append(out, criMethod{sd.ServiceName, name, unary, stream, req, resp})
		}
		for i := range sd.Methods {
			add(sd.Methods[i].MethodName, &sd.Methods[i], nil)
		}
		for i := range sd.Streams {
			add(sd.Streams[i].StreamName, nil, &sd.Streams[i])
		}
	}
	if len(out) != 43 {
		tb.Fatalf("the CRI API has %d methods, the fuzz target expects 43", len(out))
	}
	return out
}

// serve calls m on s with the request decoded from data, as grpc-go would:
// through intercept's interceptor when intercept is not nil.
func (m criMethod) serve(ctx context.Context, s *Server, data []byte, intercept *Server) error {
	if m.unary != nil {
		dec := func(v any) error { return proto.Unmarshal(data, v.(proto.Message)) }
		var ic grpc.UnaryServerInterceptor
		if intercept != nil {
			ic = intercept.unaryInterceptor
		}
		_, err := m.unary.Handler(s, ctx, dec, ic)
		return err
	}
	st := &fuzzStream{ctx: ctx, data: data}
	if intercept == nil {
		return m.stream.Handler(s, st)
	}
	info := &grpc.StreamServerInfo{FullMethod: "/" + m.full(), IsServerStream: true}
	return intercept.streamInterceptor(s, st, info, m.stream.Handler)
}

// fuzzResponder is a fakeBackend hook that answers m with a response
// decoded from fuzz bytes and remembers it.
type fuzzResponder struct {
	m    criMethod
	data []byte
	mu   sync.Mutex
	sent proto.Message
}

func respondWith(r *fuzzResponder) func(context.Context, any) (any, error) {
	return func(_ context.Context, req any) (any, error) {
		resp := r.m.resp.New().Interface()
		if err := proto.Unmarshal(r.data, resp); err != nil {
			return nil, status.Error(codes.FailedPrecondition, errUndecodable)
		}
		r.mu.Lock()
		r.sent = resp
		r.mu.Unlock()
		if r.m.stream != nil {
			return nil, req.(grpc.ServerStream).SendMsg(resp)
		}
		return resp, nil
	}
}

func (r *fuzzResponder) response() proto.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent
}

const errUndecodable = "fuzz: undecodable response"

// fieldEmpty reports whether the field at path (proto names joined by
// dots, as validation errors spell it) is unset in msg. A path that names
// no field is not empty.
func fieldEmpty(msg protoreflect.Message, path string) bool {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		fd := msg.Descriptor().Fields().ByName(protoreflect.Name(p))
		switch {
		case fd == nil:
			return false
		case !msg.Has(fd):
			return true
		case i == len(parts)-1 || fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap():
			return false
		}
		msg = msg.Get(fd).Message()
	}
	return false
}

// allowedPaths are the ends of the field paths whose values the allow-list
// lets the Server record: pod and container metadata, image names, ids and
// the runtime handler, wherever they sit in a request or a response.
var allowedPaths = [][]string{
	{"metadata", "name"}, {"metadata", "namespace"}, {"metadata", "uid"},
	{"runtime_handler"}, {"image", "image"}, {"pod_sandbox_id"}, {"container_id"}, {"status", "id"},
}

func isAllowedPath(path []string) bool {
	for _, suffix := range allowedPaths {
		if len(path) >= len(suffix) && slices.Equal(path[len(path)-len(suffix):], suffix) {
			return true
		}
	}
	return false
}

// walkStrings calls visit with the field path and value of every string
// and bytes value in msg, map keys and values included.
func walkStrings(msg protoreflect.Message, path []string, visit func(path []string, s string)) {
	msg.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		p := append(slices.Clip(path), string(fd.Name()))
		one := func(v protoreflect.Value, kind protoreflect.Kind) {
			switch kind {
			case protoreflect.StringKind:
				visit(p, v.String())
			case protoreflect.BytesKind:
				visit(p, string(v.Bytes()))
			case protoreflect.MessageKind, protoreflect.GroupKind:
				walkStrings(v.Message(), p, visit)
			}
		}
		switch {
		case fd.IsList():
			for i := range v.List().Len() {
				one(v.List().Get(i), fd.Kind())
			}
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				visit(p, k.String())
				one(mv, fd.MapValue().Kind())
				return true
			})
		default:
			one(v, fd.Kind())
		}
		return true
	})
}

// allowedValues returns the values at allowed paths in msg, plus extra.
func allowedValues(msg proto.Message, extra []string) map[string]bool {
	out := make(map[string]bool)
	for _, s := range extra {
		out[s] = true
	}
	if msg != nil {
		walkStrings(msg.ProtoReflect(), nil, func(path []string, s string) {
			if isAllowedPath(path) {
				out[s] = true
			}
		})
	}
	return out
}

// otherStrings returns the strings of msg at no allowed path that are long
// enough to be told apart from the text a record always holds (at least 6
// bytes) and are not part of an allowed value.
func otherStrings(msg proto.Message, allowed map[string]bool) map[string]bool {
	out := make(map[string]bool)
	walkStrings(msg.ProtoReflect(), nil, func(path []string, s string) {
		if isAllowedPath(path) || len(s) < 6 {
			return
		}
		for v := range allowed {
			if strings.Contains(v, s) {
				return
			}
		}
		out[s] = true
	})
	return out
}

// fixedMessage matches the status messages the Server and the fake
// backend write, which hold no request data: they are left out of the
// secret check, which would otherwise flag a request string such as
// "required".
var fixedMessage = regexp.MustCompile(`^([a-z_.]+ is required|` + errUndecodable + `|fake backend: [A-Za-z]+|internal error while serving /[A-Za-z./]+)$`)
