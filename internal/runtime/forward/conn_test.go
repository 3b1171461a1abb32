package forward

import (
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// TestRuntimeDownAtStart: the Backend is created while the runtime is not
// answering; calls fail fast with Unavailable naming the endpoint, and once
// the runtime is up they succeed without a new Backend.
func TestRuntimeDownAtStart(t *testing.T) {
	tests := []struct {
		name string
		// occupy leaves the socket path in the broken state under test and
		// returns a function that frees it.
		occupy func(t *testing.T, path string) func()
		reason string
	}{
		{
			name:   "socket missing",
			occupy: func(*testing.T, string) func() { return func() {} },
			reason: "no such file or directory",
		},
		{
			name: "socket accepts but never speaks gRPC",
			occupy: func(t *testing.T, path string) func() {
				lis, err := net.Listen("unix", path)
				if err != nil {
					t.Fatalf("listen: %v", err)
				}
				done := make(chan struct{})
				go func() {
					defer close(done)
					var held []net.Conn
					for {
						c, err := lis.Accept()
						if err != nil {
							for _, c := range held {
								_ = c.Close()
							}
							return
						}
						held = append(held, c)
					}
				}()
				return func() { _ = lis.Close(); <-done }
			},
			reason: "still CONNECTING",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := socketPath(t, "rt.sock")
			free := tt.occupy(t, path)
			logs := &logBuffer{}
			b := newBackend(t, path, Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})

			start := time.Now()
			_, err := b.Version(callCtx(t), &runtimeapi.VersionRequest{})
			took := time.Since(start)
			st := status.Convert(err)
			if st.Code() != codes.Unavailable {
				t.Fatalf("Version = %v, want Unavailable", err)
			}
			if took > 2*time.Second {
				t.Errorf("Unavailable took %v, want under 2s", took)
			}
			wantPrefix := "runtime at " + strconv.Quote(b.Endpoint()) + " is unavailable: "
			if !strings.HasPrefix(st.Message(), wantPrefix) || !strings.Contains(st.Message(), tt.reason) {
				t.Errorf("message = %q, want prefix %q and reason %q", st.Message(), wantPrefix, tt.reason)
			}

			free()
			fake := newFakeRuntime()
			serve(t, path, fake.register)
			testutil.WaitFor(t, 15*time.Second, "a call to succeed after the runtime came up", func() bool {
				_, err := b.Version(callCtx(t), &runtimeapi.VersionRequest{})
				return err == nil
			})
			testutil.WaitFor(t, 5*time.Second, "the connected log line", func() bool { return logs.count(msgConnected) == 1 })
			if n := logs.count(msgReconnected); n != 0 {
				t.Errorf("%d %q lines for a first connection, want 0\n%s", n, msgReconnected, logs)
			}
		})
	}
}

// TestRuntimeRestart: the runtime goes away mid-run and comes back on the
// same socket. The Backend notices and reconnects by itself, with or without
// calls during the outage; calls made meanwhile answer Unavailable quickly;
// one line each says the connection was lost and came back.
func TestRuntimeRestart(t *testing.T) { eachFront(t, testRuntimeRestart) }

func testRuntimeRestart(t *testing.T, fr front) {
	tests := []struct {
		name string
		// callsWhileDown makes calls during the outage; without them only
		// the Backend's own watcher can notice and reconnect.
		callsWhileDown bool
	}{
		{name: "quiet outage", callsWhileDown: false},
		{name: "calls during outage", callsWhileDown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChain(t, Options{}, fr)
			ctx := callCtx(t)
			if _, err := c.rtClient.Version(ctx, &runtimeapi.VersionRequest{}); err != nil {
				t.Fatalf("Version before the restart: %v", err)
			}
			testutil.WaitFor(t, 5*time.Second, "the connected log line", func() bool { return c.logs.count(msgConnected) == 1 })

			c.down.stop()
			if tt.callsWhileDown {
				start := time.Now()
				_, err := c.rtClient.Version(ctx, &runtimeapi.VersionRequest{})
				st := status.Convert(err)
				if st.Code() != codes.Unavailable || !strings.Contains(st.Message(), strconv.Quote(c.backend.Endpoint())) {
					t.Fatalf("Version while the runtime is down = %v, want Unavailable naming %q", err, c.backend.Endpoint())
				}
				if took := time.Since(start); took > 2*time.Second {
					t.Errorf("Unavailable took %v, want under 2s", took)
				}
			}
			testutil.WaitFor(t, 5*time.Second, "the lost log line", func() bool { return c.logs.count(msgLost) >= 1 })

			c.down.start()
			testutil.WaitFor(t, 15*time.Second, "the reconnected log line", func() bool { return c.logs.count(msgReconnected) >= 1 })
			if _, err := c.rtClient.Version(ctx, &runtimeapi.VersionRequest{}); err != nil {
				t.Fatalf("Version after the reconnect: %v", err)
			}
			for msg, want := range map[string]int{msgConnected: 1, msgLost: 1, msgReconnected: 1, msgUnavailable: 0} {
				if n := c.logs.count(msg); n != want {
					t.Errorf("%d %q lines, want %d\n%s", n, msg, want, c.logs)
				}
			}
		})
	}
}
