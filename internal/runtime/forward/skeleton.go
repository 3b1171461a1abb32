package forward

import (
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Forward mode passes each call's bytes on without decoding them. The
// span's attributes and the id index (internal/criattrs) still need a few
// fields of some calls: a pod's name, namespace and uid, a container's name
// and image, the ids. A skeleton is the call's message as its generated
// type with those fields, and only those, read from the bytes.

// attrFields names, by message, the fields criattrs reads (and the
// messages leading to them). TestSkeletonsMatch holds them to what
// criattrs gets from the whole message, for every call of both services.
var attrFields = map[protoreflect.FullName][]protoreflect.Name{
	"runtime.v1.RunPodSandboxRequest":     {"config", "runtime_handler"},
	"runtime.v1.RestorePodRequest":        {"config", "runtime_handler"},
	"runtime.v1.CreateContainerRequest":   {"config", "sandbox_config"},
	"runtime.v1.PullImageRequest":         {"image", "sandbox_config"},
	"runtime.v1.ImageStatusRequest":       {"image"},
	"runtime.v1.RemoveImageRequest":       {"image"},
	"runtime.v1.PodSandboxConfig":         {"metadata"},
	"runtime.v1.PodSandboxMetadata":       {"name", "namespace", "uid"},
	"runtime.v1.ContainerConfig":          {"metadata", "image"},
	"runtime.v1.ContainerMetadata":        {"name"},
	"runtime.v1.ImageSpec":                {"image"},
	"runtime.v1.RunPodSandboxResponse":    {"pod_sandbox_id"},
	"runtime.v1.CreateContainerResponse":  {"container_id"},
	"runtime.v1.PodSandboxStatusResponse": {"status"},
	"runtime.v1.PodSandboxStatus":         {"id", "metadata", "runtime_handler"},
}

// idFields are read from every request that has them at its top level:
// the ids criattrs completes from its index.
var idFields = []protoreflect.Name{"container_id", "pod_sandbox_id"}

// skeleton reads one message type's wanted fields from its wire form.
type skeleton struct {
	typ    protoreflect.MessageType
	fields map[protowire.Number]skeletonField
	// direct, when set, decodes the same fields without protoreflect
	// (direct.go).
	direct func([]byte) any
}

// skeletonField is a wanted string field, or a message field (sub) with
// wanted fields of its own.
type skeletonField struct {
	fd  protoreflect.FieldDescriptor
	sub *skeleton
}

// skeletons holds, by full method, the skeleton of its request and of its
// response; nil where criattrs reads nothing.
var skeletons = buildSkeletons()

type methodSkeletons struct{ req, resp *skeleton }

func buildSkeletons() map[string]methodSkeletons {
	out := make(map[string]methodSkeletons)
	services := (&runtimeapi.VersionRequest{}).ProtoReflect().Descriptor().ParentFile().Services()
	for i := range services.Len() {
		svc := services.Get(i)
		for j := range svc.Methods().Len() {
			m := svc.Methods().Get(j)
			method := "/" + string(svc.FullName()) + "/" + string(m.Name())
			sk := methodSkeletons{
				req:  newSkeleton(m.Input(), idFields),
				resp: newSkeleton(m.Output(), nil),
			}
			d := directDecoders[method]
			if sk.req != nil && d.req != nil {
				sk.req.direct = d.req
			}
			if sk.resp != nil && d.resp != nil {
				sk.resp.direct = d.resp
			}
			out[method] = sk
		}
	}
	return out
}

// newSkeleton returns md's skeleton, with extra wanted at its top level
// besides attrFields; nil when it wants nothing.
func newSkeleton(md protoreflect.MessageDescriptor, extra []protoreflect.Name) *skeleton {
	s := &skeleton{fields: make(map[protowire.Number]skeletonField)}
	for _, name := range append(append([]protoreflect.Name{}, attrFields[md.FullName()]...), extra...) {
		fd := md.Fields().ByName(name)
		if fd == nil || fd.IsList() || fd.IsMap() {
			continue
		}
		switch fd.Kind() {
		case protoreflect.StringKind:
			s.fields[fd.Number()] = skeletonField{fd: fd}
		case protoreflect.MessageKind:
			if sub := newSkeleton(fd.Message(), nil); sub != nil {
				s.fields[fd.Number()] = skeletonField{fd: fd, sub: sub}
			}
		}
	}
	if len(s.fields) == 0 {
		return nil
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
	if err != nil {
		// Every CRI message is registered by its generated package.
		panic("forward: " + string(md.FullName()) + " is not registered: " + err.Error())
	}
	s.typ = mt
	return s
}

// decode returns the message b encodes as its generated type, holding the
// skeleton's fields. Bytes past a malformed field are ignored: the runtime
// answers such a request with its own error.
func (s *skeleton) decode(b []byte) any {
	if s.direct != nil {
		return s.direct(b)
	}
	return s.decodeReflect(b)
}

// decodeReflect is decode through protoreflect, for any message type.
func (s *skeleton) decodeReflect(b []byte) any {
	m := s.typ.New()
	s.fill(m, b)
	return m.Interface()
}

// fill sets m's wanted fields from b. As in proto, a repeated string field
// keeps its last value and a repeated message field merges.
func (s *skeleton) fill(m protoreflect.Message, b []byte) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return
		}
		b = b[n:]
		f, ok := s.fields[num]
		if !ok || typ != protowire.BytesType {
			if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
				return
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return
		}
		b = b[n:]
		if f.sub == nil {
			m.Set(f.fd, protoreflect.ValueOfString(string(v)))
		} else {
			f.sub.fill(m.Mutable(f.fd).Message(), v)
		}
	}
}
