package forward

import (
	"context"
	"maps"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/criattrs"
)

// TestSkeletonsMatch holds the fields forward mode decodes (skeleton.go) to
// what criattrs reads: for every call of both CRI services, a request and a
// response with every field set go through two annotators, one given the
// messages, the other the same bytes as Frames. The span attributes of
// request and response, and what the index learns (probed with id-only
// calls afterwards), must be the same.
func TestSkeletonsMatch(t *testing.T) {
	ctx := recordingContext(t)
	services := (&runtimeapi.VersionRequest{}).ProtoReflect().Descriptor().ParentFile().Services()
	n := 0
	for i := range services.Len() {
		svc := services.Get(i)
		for j := range svc.Methods().Len() {
			m := svc.Methods().Get(j)
			method := "/" + string(svc.FullName()) + "/" + string(m.Name())
			n++
			t.Run(string(m.Name()), func(t *testing.T) {
				req, resp := filled(t, m.Input()), filled(t, m.Output())
				sk := skeletons[method]
				freq := &Frame{method: method, skel: sk.req, b: marshal(t, req)}
				fresp := &Frame{method: method, skel: sk.resp, b: marshal(t, resp)}
				whole, wire := criattrs.New(64), criattrs.New(64)
				if got, want := attrs(wire.Request(freq)), attrs(whole.Request(req)); !maps.Equal(got, want) {
					t.Errorf("request attributes from the bytes %v, from the message %v", got, want)
				}
				if got, want := attrs(criattrs.Response(fresp)), attrs(criattrs.Response(resp)); !maps.Equal(got, want) {
					t.Errorf("response attributes from the bytes %v, from the message %v", got, want)
				}
				whole.Observe(ctx, req, resp)
				wire.Observe(ctx, freq, fresp)
				for _, probe := range []any{
					&runtimeapi.StopPodSandboxRequest{PodSandboxId: fillID},
					&runtimeapi.StartContainerRequest{ContainerId: fillID},
				} {
					if got, want := attrs(wire.Request(probe)), attrs(whole.Request(probe)); !maps.Equal(got, want) {
						t.Errorf("after Observe, %T names %v from the bytes, %v from the messages", probe, got, want)
					}
				}
			})
		}
	}
	if n != 43 {
		t.Errorf("walked %d CRI methods, want 43", n)
	}
}

// TestDecodedOnlyWhenNeeded checks that a passed-through call is decoded
// only for what needs it: not for a span that does not record, not for a
// call that does not change the index, and a status answer not for a
// sandbox the index knows.
func TestDecodedOnlyWhenNeeded(t *testing.T) {
	frame := func(method string, req bool, msg proto.Message) *Frame {
		sk := skeletons["/runtime.v1.RuntimeService/"+method]
		f := &Frame{method: "/runtime.v1.RuntimeService/" + method, skel: sk.resp, b: marshal(t, msg)}
		if req {
			f.skel = sk.req
		}
		return f
	}
	a := criattrs.New(64)
	off := context.Background()
	run := frame("RunPodSandbox", true, &runtimeapi.RunPodSandboxRequest{Config: &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "shop", Uid: "u1"}}})
	a.Annotate(off, run)
	if run.done {
		t.Errorf("Annotate decoded the request of a call whose span does not record")
	}
	a.Observe(off, run, frame("RunPodSandbox", false, &runtimeapi.RunPodSandboxResponse{PodSandboxId: "sb-1"}))
	if !run.done {
		t.Errorf("Observe did not decode RunPodSandbox: the index must learn the pod with tracing off too")
	}
	version := frame("Version", true, &runtimeapi.VersionRequest{Version: "v1"})
	versionResp := frame("Version", false, &runtimeapi.VersionResponse{RuntimeName: "x"})
	a.Observe(off, version, versionResp)
	if version.done || versionResp.done {
		t.Errorf("Observe decoded a Version call, which changes nothing")
	}
	status := func(id string) (*Frame, *Frame) {
		return frame("PodSandboxStatus", true, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: id}),
			frame("PodSandboxStatus", false, &runtimeapi.PodSandboxStatusResponse{Status: &runtimeapi.PodSandboxStatus{
				Id: id, Metadata: &runtimeapi.PodSandboxMetadata{Name: "db", Namespace: "shop", Uid: "u2"}}})
	}
	known, knownResp := status("sb-1")
	a.Observe(off, known, knownResp)
	if knownResp.done {
		t.Errorf("Observe decoded the status answer of a sandbox the index knows")
	}
	unknown, unknownResp := status("sb-2")
	a.Observe(off, unknown, unknownResp)
	if !unknownResp.done {
		t.Errorf("Observe did not decode the status answer of a sandbox the index lacks")
	}
	if got := attrs(a.Request(&runtimeapi.StopPodSandboxRequest{PodSandboxId: "sb-2"})); got[criattrs.AttrPodName] != "db" {
		t.Errorf("after a status answer from the bytes, sb-2 names %v, want the pod db", got)
	}
}

// fillID is the value of every id field filled() sets, so that a status
// answer names the sandbox its request asked about.
const fillID = "the-id"

// filled returns a message of type md with every field set: strings to
// their field's name (ids to fillID), numbers to 7, one element in lists
// and maps, messages filled in turn, three levels deep.
func filled(t testing.TB, md protoreflect.MessageDescriptor) proto.Message {
	t.Helper()
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
	if err != nil {
		t.Fatal(err)
	}
	m := mt.New()
	fill(m, 3)
	return m.Interface()
}

func fill(m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.ContainingOneof() != nil && i > 0 && fields.Get(i-1).ContainingOneof() == fd.ContainingOneof() {
			continue // one member of a oneof
		}
		switch {
		case fd.IsMap():
			if fd.MapValue().Kind() == protoreflect.MessageKind {
				continue
			}
			m.Mutable(fd).Map().Set(scalar(fd.MapKey()).MapKey(), scalar(fd.MapValue()))
		case fd.IsList():
			l := m.Mutable(fd).List()
			if fd.Kind() == protoreflect.MessageKind {
				if depth > 0 {
					fill(l.AppendMutable().Message(), depth-1)
				}
				continue
			}
			l.Append(scalar(fd))
		case fd.Kind() == protoreflect.MessageKind:
			if depth > 0 {
				fill(m.Mutable(fd).Message(), depth-1)
			}
		default:
			m.Set(fd, scalar(fd))
		}
	}
}

// scalar is filled()'s value for a non-message field.
func scalar(fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if name := string(fd.Name()); name == "id" || strings.HasSuffix(name, "_id") {
			return protoreflect.ValueOfString(fillID)
		}
		return protoreflect.ValueOfString(string(fd.Name()))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(fd.Name()))
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(1)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(7)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(7)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(7)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(7)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(7)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(7)
	}
	panic("no value for " + fd.Kind().String())
}

func marshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func attrs(kvs []attribute.KeyValue) map[attribute.Key]string {
	out := make(map[attribute.Key]string, len(kvs))
	for _, kv := range kvs {
		out[kv.Key] = kv.Value.Emit()
	}
	return out
}

// recordingContext holds a span that records, so that Annotate and
// Observe do all their work.
func recordingContext(t *testing.T) context.Context {
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx, span := tp.Tracer("test").Start(context.Background(), "call")
	t.Cleanup(func() { span.End() })
	return ctx
}
