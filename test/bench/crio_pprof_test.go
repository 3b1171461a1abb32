package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// pprofDirEnv names the directory BenchmarkPprofCrio writes its profiles
// to (default: a temporary directory, removed afterwards, so only the
// figures it reports remain).
const pprofDirEnv = "CRIO_TRACE_PPROF_DIR"

// pprofSecondsEnv sets how long each operation is profiled (default 20 s).
const pprofSecondsEnv = "CRIO_TRACE_PPROF_SECONDS"

// BenchmarkPprofCrio profiles stock CRI-O and CRI-O + kit, with tracing off
// and on (the first four sides of BenchmarkCrio), from the inside: each
// CRI-O serves Go's pprof handlers on its own CRI socket
// (ENABLE_PROFILE_UNIX_SOCKET, CRI-O's --enable-profile-unix-socket). It
// takes, per side, a heap profile at idle after start-up (after a forced
// GC) with the Go runtime's memory statistics, then for Version and
// ListContainers a CPU profile while kubelet's client calls every side in
// turn, and reports calls per side, the CPU per call read off /proc, and
// RSS. The profiles are written to $CRIO_TRACE_PPROF_DIR as
// SIDE-heap-idle.pb.gz, SIDE-memstats.txt and SIDE-OP-cpu.pb.gz for
// `go tool pprof`.
//
// It is a diagnostic: `make bench` leaves it out (-skip), `make e2e` runs it
// once with 1 s profiles so it cannot rot. It needs what BenchmarkCrio
// needs, and skips, loudly, in the same cases.
func BenchmarkPprofCrio(b *testing.B) {
	requireCrio(b)
	b.Setenv("ENABLE_PROFILE_UNIX_SOCKET", "true")
	dir := os.Getenv(pprofDirEnv)
	if dir == "" {
		dir = b.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	secs := 20
	if v := os.Getenv(pprofSecondsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 300 {
			b.Fatalf("%s=%q: want whole seconds from 1 to 300", pprofSecondsEnv, v)
		}
		secs = n
	}
	cb := startCrioSides(b, crioSides[:4]...)
	// Idle heap after start-up and preparation, and again after the loops.
	cb.snapshot(b, dir, "idle")
	for _, op := range crioOps[:2] {
		b.Run("profile="+op.name, func(b *testing.B) {
			for range b.N {
				cb.profile(b, op, dir, time.Duration(secs)*time.Second)
			}
		})
	}
	cb.snapshot(b, dir, "after")
	b.Logf("profiles in %s", dir)
}

// snapshot writes each side's heap profile (after a forced GC), the Go
// runtime's memory statistics and /proc/PID/smaps_rollup, named SIDE-heap-
// WHEN.pb.gz, SIDE-memstats-WHEN.txt and SIDE-smaps-WHEN.txt, and logs the
// resident memory.
func (cb *crioBench) snapshot(b *testing.B, dir, when string) {
	ctx := quiet(b.Context())
	for _, s := range cb.sides {
		sock := s.socket
		if err := pprofFetch(ctx, sock, "/debug/pprof/heap?gc=1", filepath.Join(dir, s.name+"-heap-"+when+".pb.gz")); err != nil {
			b.Fatalf("%s: %v", s.name, err)
		}
		if err := pprofFetch(ctx, sock, "/debug/pprof/heap?debug=1", filepath.Join(dir, s.name+"-memstats-"+when+".txt")); err != nil {
			b.Fatalf("%s: %v", s.name, err)
		}
		roll, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", s.procs[0].pid))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.name+"-smaps-"+when+".txt"), roll, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s, %s: %s", s.name, when, rollupLine(string(roll)))
	}
}

// profile calls op on every side in turn for d while a CPU profile of each
// CRI-O runs, and reports calls and CPU per call per side.
func (cb *crioBench) profile(b *testing.B, op crioOp, dir string, d time.Duration) {
	ctx := quiet(b.Context())
	var wg sync.WaitGroup
	errs := make([]error, len(cb.sides))
	cpu0 := make([]time.Duration, len(cb.sides))
	for i, s := range cb.sides {
		cpu0[i] = mustCPU(b, s.procs[0])
		wg.Go(func() {
			path := fmt.Sprintf("/debug/pprof/profile?seconds=%d", int(d/time.Second))
			errs[i] = pprofFetch(ctx, s.socket, path, filepath.Join(dir, s.name+"-"+op.name+"-cpu.pb.gz"))
		})
	}
	calls := 0
	for end := time.Now().Add(d); time.Now().Before(end); calls++ {
		for j := range cb.sides {
			s := cb.sides[(calls+j)%len(cb.sides)]
			if _, err := op.do(ctx, cb, s); err != nil {
				b.Fatalf("%s on %s: %v", op.name, s.name, err)
			}
		}
	}
	for i, s := range cb.sides {
		b.ReportMetric(float64(mustCPU(b, s.procs[0])-cpu0[i])/float64(calls), s.name+"-cpu-ns/op")
	}
	wg.Wait()
	for i, s := range cb.sides {
		if errs[i] != nil {
			b.Fatalf("%s: %v", s.name, errs[i])
		}
	}
	b.ReportMetric(float64(calls), "calls/side")
	b.ReportMetric(loadAvg(), "load-avg")
}

// rollupLine picks the resident-memory lines of /proc/PID/smaps_rollup.
func rollupLine(roll string) string {
	var out []string
	for _, l := range strings.Split(roll, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if ok && strings.HasPrefix(k, "Rss") || k == "Pss_Anon" || k == "Pss_File" {
			out = append(out, k+"="+strings.Join(strings.Fields(v), ""))
		}
	}
	return strings.Join(out, " ")
}

// pprofFetch GETs path from the HTTP server CRI-O runs on its CRI socket
// and writes the body to out.
func pprofFetch(ctx context.Context, socket, path, out string) error {
	c := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	}}
	defer c.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://crio"+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s on %s: %w", path, socket, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("GET %s on %s: %s: %s", path, socket, resp.Status, strings.TrimSpace(string(msg)))
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
