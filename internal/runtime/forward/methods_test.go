package forward

import (
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestEveryMethodForwarded calls each of the 43 CRI RPCs through the
// Backend. The runtime behind it answers any method with NotFound carrying
// the method's full name, so a method that is not forwarded (and falls back
// to the embedded Unimplemented server) or that reaches the wrong RPC fails.
func TestEveryMethodForwarded(t *testing.T) { eachFront(t, testEveryMethodForwarded) }

func testEveryMethodForwarded(t *testing.T, fr front) {
	dir := t.TempDir()
	var mu sync.Mutex
	seen := map[string]int{}
	down := serve(t, filepath.Join(dir, "rt.sock"), func(*grpc.Server) {},
		grpc.UnknownServiceHandler(func(_ any, s grpc.ServerStream) error {
			method, _ := grpc.MethodFromServerStream(s)
			mu.Lock()
			seen[method]++
			mu.Unlock()
			return status.Error(codes.NotFound, method)
		}))
	b := newBackend(t, down.path, Options{})
	front := serve(t, filepath.Join(dir, "front.sock"), func(s *grpc.Server) { fr.register(s, b) }, fr.opts(b)...)
	conn := dial(t, front.path)

	clients := []struct {
		name    string
		service string
		client  any
		iface   reflect.Type
	}{
		{
			name:    "runtime",
			service: "runtime.v1.RuntimeService",
			client:  runtimeapi.NewRuntimeServiceClient(conn),
			iface:   reflect.TypeFor[runtimeapi.RuntimeServiceClient](),
		},
		{
			name:    "image",
			service: "runtime.v1.ImageService",
			client:  runtimeapi.NewImageServiceClient(conn),
			iface:   reflect.TypeFor[runtimeapi.ImageServiceClient](),
		},
	}
	total := 0
	for _, c := range clients {
		for i := range c.iface.NumMethod() {
			m := c.iface.Method(i)
			total++
			t.Run(c.name+"/"+m.Name, func(t *testing.T) {
				want := "/" + c.service + "/" + m.Name
				err := callByReflection(t, reflect.ValueOf(c.client).MethodByName(m.Name))
				if st := status.Convert(err); st.Code() != codes.NotFound || st.Message() != want {
					t.Errorf("got %v, want NotFound %q", err, want)
				}
				mu.Lock()
				defer mu.Unlock()
				if seen[want] != 1 {
					t.Errorf("runtime received %q %d times, want once", want, seen[want])
				}
			})
		}
	}
	if total != 43 {
		t.Errorf("walked %d CRI methods, want 43 (37 runtime + 6 image)", total)
	}
}

// callByReflection calls a generated client method with an empty request
// and returns its error; for a server-streaming method, the error of the
// first Recv.
func callByReflection(t *testing.T, fn reflect.Value) error {
	t.Helper()
	ctx := callCtx(t)
	req := reflect.New(fn.Type().In(1).Elem())
	out := fn.Call([]reflect.Value{reflect.ValueOf(ctx), req})
	if err, _ := out[1].Interface().(error); err != nil {
		return err
	}
	if _, isStream := out[0].Interface().(grpc.ClientStream); !isStream {
		t.Fatalf("%v returned no error and no stream", fn.Type())
	}
	recv := out[0].MethodByName("Recv").Call(nil)
	err, _ := recv[1].Interface().(error)
	return err
}
