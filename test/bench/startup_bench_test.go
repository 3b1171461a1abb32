package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// idleFor is how long BenchmarkIdle leaves the daemons alone before it
// reads their resident set.
const idleFor = 5 * time.Second

// startupPoll is how often the start-up benchmark tries the daemon's
// socket: fine enough to add under a millisecond to what it measures.
const startupPoll = 500 * time.Microsecond

// daemonMode is one way of running the real crio-trace binary in the
// start-up and idle benchmarks.
type daemonMode struct {
	name string
	// args returns the daemon's tracing flags; on gets a receiver on a
	// free loopback port.
	args func(tb testing.TB) []string
	// state is the tracing state the daemon must log once it serves.
	state string
}

var daemonModes = []daemonMode{
	{name: "off", state: "off", args: func(testing.TB) []string { return nil }},
	{name: "on", state: "active", args: func(tb testing.TB) []string {
		return []string{"--enable-tracing", "--tracing-endpoint", startCountingReceiver(tb, 0).Addr()}
	}},
}

// BenchmarkStartup measures the time from the exec of the real crio-trace
// binary (cmd/crio-trace, built once for the run, embedded runtime) to the
// first CRI Version call it answers, tracing off and on (an OTLP receiver
// on 127.0.0.1). Each op is one start: ns/op and serve-ns are that time
// (the SIGTERM and exit that follow are not timed), rss-at-serve-B the
// daemon's resident set right after the answer, and cpu-to-serve-ns the CPU
// time its threads used until then: the figure a loaded machine disturbs
// least, since the wall time also counts waiting for a core.
func BenchmarkStartup(b *testing.B) {
	bin := daemonBinary(b)
	if os.Getenv(testutil.RaceEnv) == "1" {
		b.Logf("%s=1: the daemon is a -race build; its start-up time and RSS are not the shipped binary's", testutil.RaceEnv)
	}
	for _, mode := range daemonModes {
		b.Run("tracing="+mode.name, func(b *testing.B) {
			args := mode.args(b)
			dir := testutil.SocketDir(b)
			var served time.Duration
			var rssSum int64
			var cpu time.Duration
			b.ResetTimer()
			for i := range b.N {
				sock := filepath.Join(dir, "crio-"+strconv.Itoa(i)+".sock")
				t0 := time.Now()
				d := testutil.StartDaemon(b, bin, nil, append([]string{"--listen", sock}, args...)...)
				if err := awaitVersion(b.Context(), d, sock); err != nil {
					b.Fatalf("crio-trace (tracing %s): %v\nstderr:\n%s", mode.name, err, d.Stderr.String())
				}
				served += time.Since(t0)
				b.StopTimer()
				proc := &child{name: "crio-trace", pid: d.Pid()}
				rssSum += mustRSS(b, proc)
				cpu += mustCPU(b, proc)
				checkState(b, d, mode.state)
				if code := d.Stop(b); code != 0 {
					b.Fatalf("crio-trace exited %d on SIGTERM\nstderr:\n%s", code, d.Stderr.String())
				}
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(served)/float64(b.N), "serve-ns")
			b.ReportMetric(float64(rssSum)/float64(b.N), "rss-at-serve-B")
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-to-serve-ns")
			b.ReportMetric(loadAvg(), "load-avg")
		})
	}
}

// BenchmarkIdle runs the real crio-trace binary tracing off and on side by
// side, leaves both idle for idleFor after their first Version answer, and
// reports each one's resident set then (off-rss-B, on-rss-B) and the CPU it
// used while idle, per second (off-idle-cpu-ns/s, on-idle-cpu-ns/s). Each
// op is one such pair, so ns/op is idleFor plus the start-ups.
func BenchmarkIdle(b *testing.B) {
	bin := daemonBinary(b)
	for range b.N {
		ds := make([]*testutil.Daemon, len(daemonModes))
		dir := testutil.SocketDir(b)
		for i, mode := range daemonModes {
			sock := filepath.Join(dir, mode.name+".sock")
			ds[i] = testutil.StartDaemon(b, bin, nil, append([]string{"--listen", sock}, mode.args(b)...)...)
			if err := awaitVersion(b.Context(), ds[i], sock); err != nil {
				b.Fatalf("crio-trace (tracing %s): %v\nstderr:\n%s", mode.name, err, ds[i].Stderr.String())
			}
			checkState(b, ds[i], mode.state)
		}
		procs := make([]*child, len(ds))
		for i, d := range ds {
			procs[i] = &child{name: "crio-trace-" + daemonModes[i].name, pid: d.Pid()}
		}
		m := newMeter(procs...)
		m.start(b)
		select {
		case <-time.After(idleFor):
		case <-b.Context().Done():
			b.Fatal(b.Context().Err())
		}
		use := m.stop(b)
		for i, mode := range daemonModes {
			b.ReportMetric(float64(mustRSS(b, procs[i])), mode.name+"-rss-B")
			b.ReportMetric(float64(use[i].cpu)/idleFor.Seconds(), mode.name+"-idle-cpu-ns/s")
			if code := ds[i].Stop(b); code != 0 {
				b.Fatalf("crio-trace (tracing %s) exited %d on SIGTERM\nstderr:\n%s", mode.name, code, ds[i].Stderr.String())
			}
		}
	}
	b.ReportMetric(loadAvg(), "load-avg")
}

// awaitVersion waits until the daemon d, started to listen on sock, answers
// a CRI Version call: it tries to connect every startupPoll, then calls
// Version once, waiting for the server to be ready.
func awaitVersion(ctx context.Context, d *testutil.Daemon, sock string) error {
	ctx, cancel := context.WithTimeout(ctx, testutil.StartTimeout)
	defer cancel()
	tick := time.NewTicker(startupPoll)
	defer tick.Stop()
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			_ = c.Close()
			break
		}
		select {
		case <-d.Done():
			return fmt.Errorf("exited before serving on %s", sock)
		case <-ctx.Done():
			return fmt.Errorf("not serving on %s after %s: %w", sock, testutil.StartTimeout, err)
		case <-tick.C:
		}
	}
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	v, err := runtimeapi.NewRuntimeServiceClient(conn).Version(ctx, &runtimeapi.VersionRequest{Version: "v1"}, grpc.WaitForReady(true))
	if err != nil {
		return fmt.Errorf("Version: %w", err)
	}
	if v.GetRuntimeName() == "" {
		return fmt.Errorf("Version answered without a runtime name: %v", v)
	}
	return nil
}

// checkState fails tb unless d logged that it serves with tracing in state.
func checkState(tb testing.TB, d *testutil.Daemon, state string) {
	tb.Helper()
	line := d.WaitLog(tb, testutil.LogServing, 1)
	if want := "tracing=" + state; !strings.Contains(line, want) {
		tb.Fatalf("crio-trace logged no %q with %q:\n%s", testutil.LogServing, want, line)
	}
}
