package forward

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// Log lines of the forward backend's connection watcher.
const (
	lineUnavailable = "runtime unavailable"
	lineConnected   = "runtime connected"
	lineLost        = "runtime connection lost"
	lineReconnected = "runtime reconnected"
)

// unavailableWithin is how fast an RPC must fail while the runtime is down.
const unavailableWithin = 2 * time.Second

// TestRuntimeRestart takes each runtime away from a running crio-trace
// under load, or starts crio-trace while the runtime is down. Meanwhile
// RPCs answer Unavailable within 2 s naming the endpoint, and the daemon
// logs one "down" line however many calls fail. The runtime started again
// on the same socket: RPCs succeed again without touching the daemon, it
// logs one "up" line, and the load's calls all succeed again.
func TestRuntimeRestart(t *testing.T) {
	forEachRuntime(t, testRuntimeRestart)
}

func testRuntimeRestart(t *testing.T, rc runtimeCase) {
	tests := []struct {
		name             string
		downAtStart      bool
		downLine, upLine string
	}{
		{name: rc.name + " restarts under the daemon and load", downAtStart: false, downLine: lineLost, upLine: lineReconnected},
		{name: rc.name + " down when the daemon starts", downAtStart: true, downLine: lineUnavailable, upLine: lineConnected},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := rc.start(t)
			runtime := env.Runtime
			if tc.downAtStart {
				runtime.Stop(t)
			}
			d := startDaemon(t, "--runtime-endpoint", runtime.Endpoint())
			rt := dialDaemon(t, d)
			version := func(t *testing.T) (time.Duration, error) {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				start := time.Now()
				_, err := rt.Version(ctx, &runtimeapi.VersionRequest{})
				return time.Since(start), err
			}
			var ld *load
			if !tc.downAtStart {
				if _, err := version(t); err != nil {
					t.Fatalf("Version before the restart: %v", err)
				}
				ld = startLoad(t, dialDaemon(t, d), loadWorkers)
				ld.waitSuccesses(t, 10)
				runtime.Stop(t)
			}

			t.Run("down: fast Unavailable naming the endpoint", func(t *testing.T) {
				for i := range 5 {
					took, err := version(t)
					if status.Code(err) != codes.Unavailable {
						t.Fatalf("call %d: error = %v, want Unavailable", i, err)
					}
					if took > unavailableWithin {
						t.Errorf("call %d: Unavailable after %s, want within %s", i, took, unavailableWithin)
					}
					if msg := status.Convert(err).Message(); !strings.Contains(msg, runtime.Endpoint()) {
						t.Errorf("call %d: message %q does not name the endpoint %s", i, msg, runtime.Endpoint())
					}
					t.Logf("call %d: Unavailable in %s: %s", i, took.Round(time.Millisecond), status.Convert(err).Message())
				}
			})
			t.Run("down: one line", func(t *testing.T) {
				waitLogCount(t, d, tc.downLine, 1)
			})

			restarted := time.Now()
			runtime.Restart(t)
			t.Run("up: RPCs succeed again", func(t *testing.T) {
				err := testutil.Poll(20*time.Second, 20*time.Millisecond, func() (bool, error) {
					_, err := version(t)
					return err == nil, err
				})
				if err != nil {
					t.Fatalf("Version never succeeded after %s came back: %v", rc.name, err)
				}
				t.Logf("Version succeeded %s after %s was started again", time.Since(restarted).Round(time.Millisecond), rc.name)
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				if _, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{}); err != nil {
					t.Errorf("ListPodSandbox after the restart: %v", err)
				}
			})
			t.Run("up: one line, still one down line", func(t *testing.T) {
				waitLogCount(t, d, tc.upLine, 1)
				if n := testutil.CountLines(d.log(t), tc.downLine); n != 1 {
					t.Errorf("%d %q lines, want 1:\n%s", n, tc.downLine, d.tail(20))
				}
			})
			if ld != nil {
				t.Run("load: only fast Unavailable while down, all calls succeed after", func(t *testing.T) {
					ld.waitSuccesses(t, ld.successes()+10)
					checkLoad(t, ld.stop())
				})
			}
		})
	}
}

// dialDaemon is a plain CRI runtime client of the daemon, closed when t
// ends.
func dialDaemon(t *testing.T, d *daemon) runtimeapi.RuntimeServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(d.endpoint(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dialing crio-trace: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return runtimeapi.NewRuntimeServiceClient(conn)
}

// waitLogCount waits up to 5 s for the daemon's log to hold want lines with
// substr, then checks that it holds exactly that many.
func waitLogCount(t *testing.T, d *daemon, substr string, want int) {
	t.Helper()
	err := testutil.Poll(5*time.Second, 20*time.Millisecond, func() (bool, error) {
		if n := testutil.CountLines(d.log(t), substr); n < want {
			return false, fmt.Errorf("%d %q lines so far", n, substr)
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("waiting for %d %q lines: %v\n%s", want, substr, err, d.tail(20))
	}
	if n := testutil.CountLines(d.log(t), substr); n != want {
		t.Errorf("%d %q lines, want %d:\n%s", n, substr, want, d.tail(20))
	}
}
