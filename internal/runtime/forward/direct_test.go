package forward

import (
	"math/rand/v2"
	"slices"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// directCase is one direct decoder and the message type it decodes.
type directCase struct {
	name string
	sk   *skeleton
	desc protoreflect.MessageDescriptor
}

// directCases are the skeletons that decode directly: every one that
// directDecoders names, and no other.
func directCases(t testing.TB) []directCase {
	var out []directCase
	for method, d := range directDecoders {
		sk, ok := skeletons[method]
		if !ok {
			t.Fatalf("directDecoders names %s, which is no CRI method", method)
		}
		for _, c := range []struct {
			suffix string
			fn     func([]byte) any
			sk     *skeleton
		}{{"request", d.req, sk.req}, {"response", d.resp, sk.resp}} {
			if c.fn == nil {
				continue
			}
			if c.sk == nil || c.sk.direct == nil {
				t.Fatalf("%s %s: a direct decoder but no skeleton using it", method, c.suffix)
			}
			out = append(out, directCase{name: method + " " + c.suffix, sk: c.sk, desc: c.sk.typ.Descriptor()})
		}
	}
	slices.SortFunc(out, func(a, b directCase) int {
		if a.name < b.name {
			return -1
		}
		return 1
	})
	if len(out) != 8 {
		t.Fatalf("%d direct decoders, want 8 (requests and responses of the five calls that change the index)", len(out))
	}
	return out
}

// checkDirect fails t unless the direct decoder reads b exactly as the
// protoreflect skeleton does. Neither may panic.
func checkDirect(t testing.TB, c directCase, b []byte) {
	t.Helper()
	got, want := c.sk.direct(b).(proto.Message), c.sk.decodeReflect(b).(proto.Message)
	if !proto.Equal(got, want) {
		t.Fatalf("%s from %x:\ndirect   %v\nskeleton %v", c.name, b, got, want)
	}
}

// directInputs are encodings to try: every field set, set twice (the last
// string wins, messages merge), empty, and each of them cut short at every
// length and with a byte flipped, which garbles tags and lengths.
func directInputs(t testing.TB, c directCase) [][]byte {
	full := filled(t, c.desc)
	whole, err := proto.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	other := filled(t, c.desc)
	other.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() == protoreflect.StringKind && !fd.IsList() && !fd.IsMap() {
			other.ProtoReflect().Set(fd, protoreflect.ValueOfString(v.String()+"-again"))
		}
		return true
	})
	again, err := proto.Marshal(other)
	if err != nil {
		t.Fatal(err)
	}
	twice := append(slices.Clone(whole), again...)
	// A wanted field with the wrong wire type is skipped, not read.
	wrongType := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 5)
	inputs := [][]byte{nil, {}, whole, twice, append(wrongType, whole...)}
	for _, b := range [][]byte{whole, twice} {
		for n := range b {
			inputs = append(inputs, b[:n])
			flipped := slices.Clone(b)
			flipped[n] ^= 0xff
			inputs = append(inputs, flipped)
		}
	}
	return inputs
}

// TestDirectMatchesSkeleton holds each direct decoder to the protoreflect
// skeleton it replaces, for well-formed, repeated, truncated and garbled
// bytes; and, for well-formed bytes, to proto.Unmarshal of the whole
// message on every field it reads.
func TestDirectMatchesSkeleton(t *testing.T) {
	for _, c := range directCases(t) {
		t.Run(c.name, func(t *testing.T) {
			for _, b := range directInputs(t, c) {
				checkDirect(t, c, b)
			}
			whole := filled(t, c.desc)
			got := c.sk.direct(marshal(t, whole)).(proto.Message)
			if got.ProtoReflect().Descriptor() != c.desc {
				t.Fatalf("decoded a %s, want a %s", got.ProtoReflect().Descriptor().FullName(), c.desc.FullName())
			}
			var unset []string
			checkWanted(t, c.sk, whole.ProtoReflect(), got.ProtoReflect(), &unset)
			if len(unset) > 0 {
				t.Fatalf("fields not read from a whole message: %v", unset)
			}
		})
	}
}

// checkWanted compares, field by field, the wanted fields of the skeleton
// in want (a whole message) and got (decoded), and names the ones that
// differ.
func checkWanted(t *testing.T, sk *skeleton, want, got protoreflect.Message, differ *[]string) {
	t.Helper()
	for _, f := range sk.fields {
		if f.sub == nil {
			if got.Get(f.fd).String() != want.Get(f.fd).String() {
				*differ = append(*differ, string(f.fd.FullName()))
			}
			continue
		}
		if !got.Has(f.fd) {
			*differ = append(*differ, string(f.fd.FullName()))
			continue
		}
		checkWanted(t, f.sub, want.Get(f.fd).Message(), got.Get(f.fd).Message(), differ)
	}
}

// TestDirectRandomBytes feeds the direct decoders random bytes and random
// runs of valid tags: no panic, and the skeleton's result.
func TestDirectRandomBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range directCases(t) {
		for range 2000 {
			b := make([]byte, rng.IntN(64))
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			if rng.IntN(2) == 0 {
				// Valid tags of wanted fields, values of random length.
				b = protowire.AppendTag(nil, protowire.Number(rng.IntN(4)+1), protowire.BytesType)
				b = protowire.AppendVarint(b, uint64(rng.IntN(8)))
				b = append(b, make([]byte, rng.IntN(8))...)
			}
			checkDirect(t, c, b)
		}
	}
}

// FuzzDirect checks the direct decoders against the skeletons on any
// bytes: `go test -fuzz FuzzDirect ./internal/runtime/forward`.
func FuzzDirect(f *testing.F) {
	cases := directCases(f)
	for i, c := range cases {
		for _, b := range directInputs(f, c)[:5] {
			f.Add(uint8(i), b)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		checkDirect(t, cases[int(which)%len(cases)], b)
	})
}

// BenchmarkDecodeIndexCall decodes a kubelet-sized CreateContainer request
// (the largest message that is decoded on every call) directly and through
// protoreflect, as forward mode reads it for the id index.
func BenchmarkDecodeIndexCall(b *testing.B) {
	req := &runtimeapi.CreateContainerRequest{
		PodSandboxId: "5b2b7c6f0d7e4a0f9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b",
		Config: &runtimeapi.ContainerConfig{
			Metadata:    &runtimeapi.ContainerMetadata{Name: "app"},
			Image:       &runtimeapi.ImageSpec{Image: "registry.k8s.io/busybox:1.36"},
			Command:     []string{"sh", "-c", "sleep 3600"},
			Envs:        []*runtimeapi.KeyValue{{Key: "A", Value: []byte("1")}, {Key: "B", Value: []byte("2")}},
			Labels:      map[string]string{"io.kubernetes.container.name": "app", "io.kubernetes.pod.name": "web-0"},
			Annotations: map[string]string{"io.kubernetes.container.hash": "1234abcd", "io.kubernetes.container.restartCount": "0"},
			LogPath:     "app/0.log",
			Linux:       &runtimeapi.LinuxContainerConfig{Resources: &runtimeapi.LinuxContainerResources{CpuShares: 2, MemoryLimitInBytes: 1 << 26}},
		},
		SandboxConfig: &runtimeapi.PodSandboxConfig{
			Metadata:     &runtimeapi.PodSandboxMetadata{Name: "web-0", Namespace: "default", Uid: "0b9f1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d"},
			Hostname:     "web-0",
			LogDirectory: "/var/log/pods/default_web-0_0b9f1c2d",
			Labels:       map[string]string{"app": "web", "io.kubernetes.pod.name": "web-0"},
		},
	}
	raw, err := proto.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	sk := skeletons[methodPrefix+"CreateContainer"].req
	for _, c := range []struct {
		name   string
		decode func([]byte) any
	}{{"direct", sk.direct}, {"protoreflect", sk.decodeReflect}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if c.decode(raw).(*runtimeapi.CreateContainerRequest).GetConfig().GetMetadata().GetName() != "app" {
					b.Fatal("container name not decoded")
				}
			}
		})
	}
}
