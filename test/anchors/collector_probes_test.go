package anchors

import (
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func init() {
	lines := "the system's warning and error log lines (and lines of Go's standard logger, where OpenTelemetry's default error handler writes) about exporting, the collector or OTLP (case-insensitive `export|otlp|collector|upload|traces`), from %s to the end of the calls, per minute: one line per incident is best, none leaves the operator unaware that spans are lost, more floods the log."
	latency := "the same run: latency of the calls (p50 and p90; scored on p90)."
	load := fmt.Sprintf("kubelet's client makes 2 traced calls (ImageStatus, ListContainers) every %s for %s; ", seconds(loadInterval), seconds(loadWindow))
	probes = append(probes,
		probe{
			rows: []string{
				"collector absent at start: log lines",
				"collector absent at start: call latency",
				"collector going away: log lines",
				"collector going away: call latency",
				"collector hanging: log lines",
				"collector hanging: call latency",
			},
			how: []string{
				load + "tracing on, every span sampled, nothing listening at the collector address; " + fmt.Sprintf(lines, "the system's start"),
				latency,
				load + "the collector answers for the first calls and is then stopped; " + fmt.Sprintf(lines, "the moment it stops"),
				latency,
				load + "the collector address accepts TCP connections and never answers; " + fmt.Sprintf(lines, "the system's start"),
				latency,
			},
			run: probeCollector,
		},
	)
}

// loadInterval paces the steady load of the collector probes.
const loadInterval = 500 * time.Millisecond

// windowEnv names the variable that shortens the collector probes' window
// (`make test` runs them for 20 s each; `make anchors` for the default).
const windowEnv = "ANCHORS_WINDOW"

// loadWindow is how long each collector probe runs its steady load, and
// loadWindowErr why $ANCHORS_WINDOW was refused.
var loadWindow, loadWindowErr = parseWindow(os.Getenv(windowEnv))

// parseWindow reads a window between 10 s and 10 min; empty is 1 min.
func parseWindow(v string) (time.Duration, error) {
	if v == "" {
		return time.Minute, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 10*time.Second || d > 10*time.Minute {
		return time.Minute, fmt.Errorf("%s=%q: want a duration from 10s to 10m, such as 20s or 1m", windowEnv, v)
	}
	return d, nil
}

// exporterLine matches a log line about exporting spans; warnLine one at
// level warning or error, as logrus (CRI-O, containerd) and slog
// (crio-trace) write them, or one of Go's standard logger, which
// OpenTelemetry's default error handler writes to (CRI-O's exporter errors
// arrive that way, measured: "2026/12/01 02:08:23 traces export: …").
var (
	exporterLine = regexp.MustCompile(`(?i)export|otlp|collector|upload|traces`)
	warnLine     = regexp.MustCompile(`(?i)level=(warn|warning|error|fatal)\b|^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} `)
)

// probeCollector measures the system while its collector is absent, goes
// away, and hangs.
func probeCollector(t *testing.T, c column) []cell {
	cells := make([]cell, 6)
	t.Run("absent at start", func(t *testing.T) {
		s := c.start(t, setup{tracing: true, endpoint: closedPort(t), rate: 1000000})
		k := newKubelet(t, s.endpoint, startReceiver(t).Addr())
		lat := steadyCalls(t, k, s.env.BusyboxImage, loadWindow)
		cells[0], cells[1] = linesCell(t, s.log(t), 0, loadWindow), latencyCell(lat)
	})
	t.Run("going away", func(t *testing.T) {
		recv := startReceiver(t)
		s := c.start(t, setup{tracing: true, endpoint: recv.Addr(), rate: 1000000})
		k := newKubelet(t, s.endpoint, startReceiver(t).Addr())
		steadyCalls(t, k, s.env.BusyboxImage, 3*time.Second)
		recv.Stop()
		from := len(s.log(t))
		lat := steadyCalls(t, k, s.env.BusyboxImage, loadWindow)
		cells[2], cells[3] = linesCell(t, s.log(t), from, loadWindow), latencyCell(lat)
	})
	t.Run("hanging", func(t *testing.T) {
		s := c.start(t, setup{tracing: true, endpoint: hangingCollector(t), rate: 1000000})
		k := newKubelet(t, s.endpoint, startReceiver(t).Addr())
		lat := steadyCalls(t, k, s.env.BusyboxImage, loadWindow)
		cells[4], cells[5] = linesCell(t, s.log(t), 0, loadWindow), latencyCell(lat)
	})
	return cells
}

// steadyCalls makes two traced calls every loadInterval for window and
// returns their latencies; a failed call fails t.
func steadyCalls(t *testing.T, k *kubelet, image string, window time.Duration) []time.Duration {
	t.Helper()
	tracer := k.tp.Tracer("k8s.io/kubernetes/pkg/kubelet")
	var lat []time.Duration
	tick := time.NewTicker(loadInterval)
	defer tick.Stop()
	for end := time.Now().Add(window); time.Now().Before(end); <-tick.C {
		ctx, root := tracer.Start(k.ctx, "syncPod")
		start := time.Now()
		_, err := k.img.ImageStatus(ctx, &runtimeapi.ImageSpec{Image: image}, false)
		lat = append(lat, time.Since(start))
		if err == nil {
			start = time.Now()
			_, err = k.rt.ListContainers(ctx, &runtimeapi.ContainerFilter{})
			lat = append(lat, time.Since(start))
		}
		root.End()
		if err != nil {
			t.Fatalf("a call of the steady load failed: %v", err)
		}
	}
	return lat
}

// linesCell counts exporter lines in log after byte offset from, over a
// run of window, and logs them.
func linesCell(t *testing.T, log string, from int, window time.Duration) cell {
	var matched []string
	for _, l := range strings.Split(log[from:], "\n") {
		if warnLine.MatchString(l) && exporterLine.MatchString(l) {
			matched = append(matched, l)
		}
	}
	t.Logf("exporter lines:\n%s", strings.Join(matched, "\n"))
	n := len(matched)
	perMin := float64(n) / window.Minutes()
	text := fmt.Sprintf("%d %s in %s (%.0f/min)", n, plural(n, "line", "lines"), seconds(window), perMin)
	switch {
	case n == 0:
		return cell{text: text + ", silent", score: -1, measured: true}
	case n <= 2:
		return cell{text: text, score: 0, measured: true}
	case perMin <= 10:
		return cell{text: text, score: -2, measured: true}
	}
	return cell{text: text, score: -3, measured: true}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// latencyCell summarises call latencies, scored on p90.
func latencyCell(lat []time.Duration) cell {
	if len(lat) == 0 {
		return cell{text: "no calls"}
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	p50, p90 := s[len(s)/2], s[len(s)*9/10]
	text := fmt.Sprintf("p50 %s, p90 %s", seconds(p50), seconds(p90))
	switch {
	case p90 < 100*time.Millisecond:
		return cell{text: text, score: 0, measured: true}
	case p90 < time.Second:
		return cell{text: text, score: -1, measured: true}
	}
	return cell{text: text, score: -2, measured: true}
}

// hangingCollector listens on a loopback port, accepts connections and
// never reads or writes: a collector that hangs. It returns the address;
// everything is closed when t ends.
func hangingCollector(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}
