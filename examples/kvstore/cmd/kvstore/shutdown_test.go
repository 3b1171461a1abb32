package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"google.golang.org/grpc"

	"github.com/crio-trace/crio-trace/examples/kvstore/kvpb"
	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// TestInFlightAtSIGTERM is the shutdown test that catches flushing before
// draining: a call is still in flight when SIGTERM arrives, so its span
// ends only during the drain. kvstore must drain, then flush, and the
// receiver must hold that span. The same check, run against kvstore built
// with its two shutdown phases swapped, must find the span lost; otherwise
// the check proves nothing.
func TestInFlightAtSIGTERM(t *testing.T) {
	wrongBin := filepath.Join(t.TempDir(), "kvstore-flush-first")
	if err := build(wrongBin, swappedShutdown(t)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		bin          string
		wantInFlight bool
	}{
		{name: "drain then flush", bin: kvstoreBin, wantInFlight: true},
		{name: "flush then drain (deliberately wrong)", bin: wrongBin, wantInFlight: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, log := inFlightSpanDelivered(t, tc.bin)
			if flushedFirst := strings.Index(log, logFlushing) < strings.Index(log, logDraining); flushedFirst == tc.wantInFlight {
				t.Fatalf("the binary flushed first: %v; the build is not the one this case is about:\n%s", flushedFirst, log)
			}
			if got != tc.wantInFlight {
				t.Errorf("span of the call in flight at SIGTERM delivered: %v, want %v", got, tc.wantInFlight)
			}
		})
	}
}

// inFlightSpanDelivered starts bin in front of a next hop of the test's own
// whose Put blocks, makes a traced Put, sends SIGTERM while it hangs there,
// lets it finish once bin says it is draining, and reports whether bin's
// SERVER span of that Put reached the receiver by the time bin exited 0,
// and bin's log.
func inFlightSpanDelivered(t *testing.T, bin string) (bool, string) {
	recv := startReceiver(t, "127.0.0.1:0")
	dir := socketDir(t)
	next := startBlockingKV(t, filepath.Join(dir, "next.sock"))
	kv := startKV(t, bin, dir, "kv", "--upstream", "unix://"+next.sock,
		"--config", writeConfig(t, dir, "kv", true, recv.Addr(), "kvstore"))
	c := newCaller(t, kv.sock)

	type result struct {
		traceID string
		err     error
	}
	put := func(key string) <-chan result {
		done := make(chan result, 1)
		go func() {
			tid, _, err := c.put(t, key, []byte("v"))
			done <- result{tid, err}
		}()
		<-next.arrived // the Put hangs at the next hop: in flight in kvstore
		return done
	}

	// A call to warm up: the pipeline is up and exporting.
	warm := put("warm")
	next.release <- struct{}{}
	if r := <-warm; r.err != nil {
		t.Fatalf("warm-up Put: %v", r.err)
	} else {
		waitTrace(t, recv, r.traceID, 2)
	}

	// guideline:begin kvstore-in-flight-test
	slow := put("slow") // returns once the call hangs at the next hop
	kv.signal(t, syscall.SIGTERM)
	kv.waitLog(t, logDraining, 1) // the call is still in flight
	next.release <- struct{}{}
	r := <-slow
	if r.err != nil {
		t.Fatalf("the call in flight at SIGTERM failed: %v", r.err)
	}
	if code := kv.wait(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM, want 0\n%s", code, kv.stderr.String())
	}
	// kvstore has exited: anything it flushed has arrived.
	return len(otlpreceiver.Trace(recv.Spans(), r.traceID)) > 0, kv.stderr.String()
	// guideline:end kvstore-in-flight-test
}

// swappedShutdown writes a go build -overlay file that replaces
// shutdown.go with a copy whose drain and flush regions are swapped, and
// returns its path.
func swappedShutdown(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("shutdown.go")
	if err != nil {
		t.Fatal(err)
	}
	region := func(name string) string {
		s := string(src)
		b := strings.Index(s, "// guideline:begin "+name+"\n")
		e := strings.Index(s, "// guideline:end "+name+"\n")
		if b < 0 || e < b {
			t.Fatalf("shutdown.go has no region %q", name)
		}
		return s[b : e+len("// guideline:end "+name+"\n")]
	}
	drain, flush := region("kvstore-drain"), region("kvstore-flush")
	swapped := strings.Replace(string(src), drain+"\t"+flush, flush+"\t"+drain, 1)
	if swapped == string(src) {
		t.Fatal("could not swap the drain and flush regions of shutdown.go: are they still adjacent?")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "shutdown.go")
	if err := os.WriteFile(file, []byte(swapped), 0o600); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs("shutdown.go")
	if err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(dir, "overlay.json")
	body := `{"Replace":{` + quote(abs) + `:` + quote(file) + `}}`
	if err := os.WriteFile(overlay, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return overlay
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// blockingKV is a next hop of the test's own: each Put reports its arrival
// on arrived and waits for a release, both unbuffered, so the test knows
// exactly which call it holds.
type blockingKV struct {
	kvpb.UnimplementedKVServer
	sock    string
	arrived chan struct{}
	release chan struct{}
}

func startBlockingKV(t *testing.T, sock string) *blockingKV {
	t.Helper()
	b := &blockingKV{sock: sock, arrived: make(chan struct{}), release: make(chan struct{})}
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	kvpb.RegisterKVServer(g, b)
	go func() { _ = g.Serve(lis) }()
	t.Cleanup(g.Stop)
	return b
}

func (b *blockingKV) Put(ctx context.Context, _ *kvpb.PutRequest) (*kvpb.PutResponse, error) {
	select {
	case b.arrived <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-b.release:
		return &kvpb.PutResponse{Version: 1}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
