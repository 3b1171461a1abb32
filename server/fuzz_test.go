package server

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// unaryMethods lists every unary CRI method with the service it belongs to.
func unaryMethods() []struct {
	service string
	method  grpc.MethodDesc
} {
	var out []struct {
		service string
		method  grpc.MethodDesc
	}
	for _, sd := range []grpc.ServiceDesc{runtimeapi.RuntimeService_ServiceDesc, runtimeapi.ImageService_ServiceDesc} {
		for _, m := range sd.Methods {
			out = append(out, struct {
				service string
				method  grpc.MethodDesc
			}{sd.ServiceName, m})
		}
	}
	return out
}

// FuzzValidateRequests decodes arbitrary bytes into the request of any unary
// CRI method, as gRPC would, and runs the Server's handler on it with a
// recording span and debug logging, so validation, attribute extraction and
// the index all see hostile input. It must never panic, and every
// validation error must be InvalidArgument naming a required field.
func FuzzValidateRequests(f *testing.F) {
	methods := unaryMethods()
	seeds := []proto.Message{
		&runtimeapi.RunPodSandboxRequest{Config: validPodConfig(), RuntimeHandler: "runc"},
		&runtimeapi.CreateContainerRequest{PodSandboxId: "sb", Config: validContainerConfig(), SandboxConfig: validPodConfig()},
		&runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}, Auth: &runtimeapi.AuthConfig{Password: "p"}},
		&runtimeapi.StartContainerRequest{ContainerId: "c"},
		&runtimeapi.RemovePodSandboxRequest{PodSandboxId: "sb"},
	}
	for i := range methods {
		f.Add(uint8(i), []byte{})
		for _, m := range seeds {
			b, err := proto.Marshal(m)
			if err != nil {
				f.Fatalf("marshal seed: %v", err)
			}
			f.Add(uint8(i), b)
		}
	}

	tp := sdktrace.NewTracerProvider()
	f.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	backend := &fakeBackend{}
	s := New(backend, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	s.index.addSandbox("sb", &runtimeapi.PodSandboxMetadata{Name: "p"}, "runc")
	s.index.addContainer("c", containerInfo{name: "c", sandboxID: "sb"})

	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		m := methods[int(which)%len(methods)]
		dec := func(v any) error { return proto.Unmarshal(data, v.(proto.Message)) }
		ctx, span := tp.Tracer("fuzz").Start(context.Background(), m.method.MethodName)
		defer span.End()

		// Without the interceptor, so a panic fails the fuzzer instead of
		// being recovered.
		_, err := m.method.Handler(s, ctx, dec, nil)
		if err != nil && status.Code(err) != codes.InvalidArgument {
			return // the decode failed, which gRPC answers before any handler
		}
		if err != nil && !strings.HasSuffix(status.Convert(err).Message(), " is required") {
			t.Fatalf("%s: validation error %q does not name a required field", m.method.MethodName, err)
		}

		// Through the interceptor: logging extracts attributes too.
		info := &grpc.UnaryServerInfo{FullMethod: m.service + "/" + m.method.MethodName}
		_, err = m.method.Handler(s, ctx, dec, s.unaryInterceptor)
		if status.Code(err) == codes.Internal {
			t.Fatalf("%s: the interceptor recovered a panic: %v", info.FullMethod, err)
		}
	})
}
