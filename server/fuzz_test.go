package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// FuzzValidateRequests decodes fuzz bytes into the request of any of the
// 43 CRI methods, as gRPC would, and serves it through the Server — its
// interceptor, validation, attribute extraction and index — with a backend
// that answers with a response decoded from more fuzz bytes, debug logging
// and a recording span. Beyond never panicking:
//
//   - a validation error is InvalidArgument "<field> is required", and that
//     field of the request is indeed empty;
//   - the span and every log record carry only allow-listed keys, each with
//     a value that comes from a field the allow-list covers (pod and
//     container names, namespace, uid, image, ids, runtime handler) of the
//     request, of the response or of what the index knew;
//   - no other string of the request (env values, AuthConfig, annotations,
//     mounts, arguments, ...) appears anywhere in the span or the log.
func FuzzValidateRequests(f *testing.F) {
	methods := criMethods(f)
	reqSeeds := []proto.Message{
		&runtimeapi.RunPodSandboxRequest{Config: validPodConfig(), RuntimeHandler: "runc"},
		&runtimeapi.CreateContainerRequest{PodSandboxId: "sb", Config: secretContainerConfig(), SandboxConfig: validPodConfig()},
		&runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}, SandboxConfig: validPodConfig(),
			Auth: &runtimeapi.AuthConfig{Username: "planted-user", Password: "planted-password", Auth: "planted-auth"}},
		&runtimeapi.StartContainerRequest{ContainerId: "c"},
		&runtimeapi.RemovePodSandboxRequest{PodSandboxId: "sb"},
		&runtimeapi.ExecSyncRequest{ContainerId: "c", Cmd: []string{"planted-exec-command"}},
		&runtimeapi.RunPodSandboxRequest{Config: &runtimeapi.PodSandboxConfig{Metadata: &runtimeapi.PodSandboxMetadata{Name: "p"}}},
	}
	respSeeds := []proto.Message{
		&runtimeapi.RunPodSandboxResponse{PodSandboxId: "sb-new"},
		&runtimeapi.CreateContainerResponse{ContainerId: "c-new"},
		&runtimeapi.PodSandboxStatusResponse{Status: &runtimeapi.PodSandboxStatus{Id: "sb-new",
			Metadata: &runtimeapi.PodSandboxMetadata{Name: "learned", Namespace: "ns", Uid: "u"}, RuntimeHandler: "kata"}},
	}
	for i := range methods {
		f.Add(uint8(i), []byte{}, []byte{})
		for j, m := range reqSeeds {
			f.Add(uint8(i), mustMarshal(f, m), mustMarshal(f, respSeeds[j%len(respSeeds)]))
		}
	}

	f.Fuzz(func(t *testing.T, which uint8, reqData, respData []byte) {
		m := methods[int(which)%len(methods)]
		req := m.req.New().Interface()
		if proto.Unmarshal(reqData, req) != nil {
			return // gRPC answers a request it cannot decode before any handler
		}
		responder := &fuzzResponder{m: m, data: respData}
		backend := &fakeBackend{hooks: map[string]func(context.Context, any) (any, error){
			m.name: respondWith(responder),
		}}
		var logs bytes.Buffer
		s := New(backend, Options{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		indexed := []string{"sb", "idx-pod", "idx-ns", "idx-uid", "idx-handler", "c", "idx-ctr", "idx-image"}
		seedSandbox(s, "sb", &runtimeapi.PodSandboxMetadata{Name: "idx-pod", Namespace: "idx-ns", Uid: "idx-uid"}, "idx-handler")
		seedContainer(s, "c", "sb", "idx-ctr", "idx-image")
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))

		// Without the interceptor first, so that a panic fails the fuzzer
		// instead of being recovered.
		err := m.serve(t.Context(), s, reqData, nil)
		if st := status.Convert(err); err != nil && st.Code() == codes.InvalidArgument {
			field, ok := strings.CutSuffix(st.Message(), " is required")
			if !ok {
				t.Fatalf("%s: validation error %q does not name a required field", m.full(), st.Message())
			}
			if !fieldEmpty(req.ProtoReflect(), field) {
				t.Fatalf("%s: %q, but the request has %s set: %v", m.full(), st.Message(), field, req)
			}
		}

		ctx, span := tp.Tracer("fuzz").Start(t.Context(), m.full())
		err = m.serve(ctx, s, reqData, s)
		span.End()
		if status.Code(err) == codes.Internal {
			t.Fatalf("%s: the interceptor recovered a panic: %v", m.full(), err)
		}

		allowed := allowedValues(req, indexed)
		if resp := responder.response(); resp != nil {
			for v := range allowedValues(resp, nil) {
				allowed[v] = true
			}
		}
		checkRecorded(t, m.full(), rec.Ended(), logs.Bytes(), allowed, otherStrings(req, allowed))
	})
}

// secretContainerConfig is a container config with a secret in every
// field that can hold one.
func secretContainerConfig() *runtimeapi.ContainerConfig {
	c := validContainerConfig()
	c.Envs = []*runtimeapi.KeyValue{{Key: "API_KEY", Value: []byte("planted-env-value")}}
	c.Annotations = map[string]string{"note": "planted-annotation"}
	c.Mounts = []*runtimeapi.Mount{{ContainerPath: "/run/secret", HostPath: "/planted-mount"}}
	c.Args = []string{"--token=planted-arg"}
	return c
}

func mustMarshal(tb testing.TB, m proto.Message) []byte {
	tb.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		tb.Fatalf("marshal seed: %v", err)
	}
	return b
}

// checkRecorded checks the span and log output of one call: only
// allow-listed attribute keys (and the kit's gRPC status code), their
// values among allowed, and none of the request's other strings anywhere.
func checkRecorded(t *testing.T, method string, spans []sdktrace.ReadOnlySpan, logs []byte, allowed, others map[string]bool) {
	t.Helper()
	var text []string // what may not hold a request string
	message := func(m string) {
		m = rpcErrorPrefix.ReplaceAllString(m, "")
		if !fixedMessage.MatchString(m) {
			text = append(text, m)
		}
	}
	for _, s := range spans {
		for _, kv := range s.Attributes() {
			if kv.Key == tracing.AttrGRPCStatusCode && kv.Value.Type() == attribute.INT64 {
				continue
			}
			if !allowList.Allows(kv.Key) {
				t.Fatalf("%s: span attribute %s is not on the allow-list", method, kv.Key)
			}
			if v := kv.Value.Emit(); !allowed[v] {
				t.Fatalf("%s: span attribute %s=%q comes from no allow-listed field", method, kv.Key, v)
			}
		}
		message(s.Status().Description)
		for _, ev := range s.Events() {
			text = append(text, ev.Name)
			for _, kv := range ev.Attributes {
				message(kv.Value.Emit())
			}
		}
	}
	for line := range bytes.Lines(logs) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("%s: log line is not JSON: %v: %s", method, err, line)
		}
		if rec["msg"] != logMessage {
			t.Fatalf("%s: unexpected log record (a panic?): %s", method, line)
		}
		for k, v := range rec {
			switch k {
			case "time", "level", "msg", "method", "duration", "code":
				continue
			case "error":
				message(toString(v))
				continue
			}
			if !allowList.Allows(attribute.Key(k)) {
				t.Fatalf("%s: log key %s is not on the allow-list: %s", method, k, line)
			}
			if !allowed[toString(v)] {
				t.Fatalf("%s: logged %s=%q comes from no allow-listed field", method, k, v)
			}
		}
	}
	all := strings.Join(text, "\n")
	for secret := range others {
		if strings.Contains(all, secret) {
			t.Fatalf("%s: the request's string %q, in no allow-listed field, was recorded:\n%s", method, secret, all)
		}
	}
}

// rpcErrorPrefix is what a gRPC status error's text puts before its message.
var rpcErrorPrefix = regexp.MustCompile(`^rpc error: code = [A-Za-z]+ desc = `)

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// fuzzStream is the server side of a streaming call whose one request is
// decoded from fuzz bytes.
type fuzzStream struct {
	grpc.ServerStream // nil: only the methods below are called
	ctx               context.Context
	data              []byte
}

func (s *fuzzStream) Context() context.Context { return s.ctx }
func (s *fuzzStream) RecvMsg(m any) error      { return proto.Unmarshal(s.data, m.(proto.Message)) }
func (s *fuzzStream) SendMsg(any) error        { return nil }
