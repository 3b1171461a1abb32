package enhancements

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/crio-trace/crio-trace/examples/kvstore/kvpb"
	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
)

// kvstoreTelemetry runs the porting path's worked example as its tests do —
// a front kvstore calling a back one, both exporting to a real OTLP
// receiver — through a Put, a Get that finds the value, one that does not,
// and a Put the front refuses, and returns what reached the receiver.
func kvstoreTelemetry(t *testing.T) emitted {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kvstore")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	if b, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "../examples/kvstore/cmd/kvstore").CombinedOutput(); err != nil {
		t.Fatalf("building kvstore: %v\n%s", err, b)
	}
	recv, err := otlpreceiver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(recv.Stop)
	dir := testutil.SocketDir(t)
	start := func(name string, args ...string) *testutil.Daemon {
		cfg := filepath.Join(dir, name+".toml")
		body := "[kvstore.tracing]\nenable_tracing = true\ntracing_endpoint = \"" + recv.Addr() + "\"\n" +
			"tracing_service_name = \"kvstore-" + name + "\"\ntracing_export_interval = \"50ms\"\n"
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		sock := filepath.Join(dir, name+".sock")
		d := testutil.StartDaemon(t, bin, nil, append([]string{"--listen", sock, "--config", cfg}, args...)...)
		d.WaitLog(t, "kvstore serving", 1)
		return d
	}
	back := start("back")
	front := start("front", "--upstream", "unix://"+back.Socket)
	conn, err := grpc.NewClient("unix://"+front.Socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	kv := kvpb.NewKVClient(conn)
	call := func(want codes.Code, f func(ctx context.Context) error) {
		t.Helper()
		ctx, _ := testutil.SampledParent(t.Context())
		if err := f(ctx); status.Code(err) != want {
			t.Fatalf("kvstore call: %v, want %v", err, want)
		}
	}
	call(codes.OK, func(ctx context.Context) error {
		_, err := kv.Put(ctx, &kvpb.PutRequest{Key: "k", Value: []byte("v")})
		return err
	})
	call(codes.OK, func(ctx context.Context) error { _, err := kv.Get(ctx, &kvpb.GetRequest{Key: "k"}); return err })
	call(codes.NotFound, func(ctx context.Context) error { _, err := kv.Get(ctx, &kvpb.GetRequest{Key: "none"}); return err })
	call(codes.InvalidArgument, func(ctx context.Context) error { _, err := kv.Put(ctx, &kvpb.PutRequest{}); return err })
	for _, d := range []*testutil.Daemon{front, back} {
		if code := d.Stop(t); code != 0 {
			t.Fatalf("kvstore exited %d after SIGTERM\n%s", code, d.Stderr.String())
		}
	}
	// Both flushed on the way out.
	return collectEmitted(recv.Spans())
}

// crioEmitted is emittedTelemetry, run once for all the tests that need
// it.
func crioEmitted(t *testing.T) emitted {
	t.Helper()
	emittedCache.Lock()
	defer emittedCache.Unlock()
	if emittedCache.e == nil {
		e := emittedTelemetry(t)
		emittedCache.e = &e
	}
	return *emittedCache.e
}

var emittedCache struct {
	sync.Mutex
	e *emitted
}
