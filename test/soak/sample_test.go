package soak

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// sample is one reading of the daemon's resources.
type sample struct {
	at         time.Duration // since the soak began
	rssKiB     float64
	heapKiB    float64 // live heap: the least HeapAlloc right after a forced GC, of heapReadings
	goroutines float64
	fds        float64
}

// readSample reads pid's resident set and open descriptors from /proc, and
// its goroutine count and live heap from its pprof endpoint at profileAddr.
func readSample(pid int, profileAddr string, at time.Duration) (sample, error) {
	s := sample{at: at}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			s.rssKiB, err = strconv.ParseFloat(strings.Fields(v)[0], 64)
			if err != nil {
				return s, fmt.Errorf("VmRSS %q: %w", v, err)
			}
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return s, err
	}
	s.fds = float64(len(fds))
	resp, err := http.Get("http://" + profileAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	first, err := bufio.NewReader(io.LimitReader(resp.Body, 4096)).ReadString('\n')
	if err != nil {
		return s, fmt.Errorf("goroutine profile: %w", err)
	}
	// "goroutine profile: total 42"
	n, ok := strings.CutPrefix(strings.TrimSpace(first), "goroutine profile: total ")
	if !ok {
		return s, fmt.Errorf("goroutine profile starts %q", first)
	}
	if s.goroutines, err = strconv.ParseFloat(n, 64); err != nil {
		return s, err
	}
	s.heapKiB, err = minLiveHeapKiB(profileAddr)
	return s, err
}

// heapReadings is how many live-heap readings a sample takes the least of,
// heapReadingGap apart: more than one export interval, so that an export
// batch in flight at one reading is gone at another. A leak is there at
// every reading.
const (
	heapReadings   = 3
	heapReadingGap = 150 * time.Millisecond
)

// minLiveHeapKiB returns the least of heapReadings readings of liveHeapKiB.
func minLiveHeapKiB(profileAddr string) (float64, error) {
	least := math.Inf(1)
	for i := range heapReadings {
		if i > 0 {
			time.Sleep(heapReadingGap)
		}
		// Two GCs in a row: the first moves pooled buffers (grpc-go keeps
		// 1 MiB ones for exports) to sync.Pool's victim cache, the second
		// frees them, so what is left is what is reachable.
		if _, err := liveHeapKiB(profileAddr); err != nil {
			return 0, err
		}
		kib, err := liveHeapKiB(profileAddr)
		if err != nil {
			return 0, err
		}
		least = min(least, kib)
	}
	return least, nil
}

// liveHeapKiB asks the pprof endpoint at profileAddr for a heap profile
// taken after a forced GC (gc=1) and returns the HeapAlloc it reports: what
// is still reachable, where RSS also holds what the runtime has not given
// back yet.
func liveHeapKiB(profileAddr string) (float64, error) {
	resp, err := http.Get("http://" + profileAddr + "/debug/pprof/heap?gc=1&debug=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "# HeapAlloc = "); ok {
			b, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return b / 1024, err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("heap profile: %w", err)
	}
	return 0, fmt.Errorf("heap profile has no HeapAlloc line")
}

// slope is the least-squares slope of ys over xs (per unit of x).
func slope(xs, ys []float64) float64 {
	n := float64(len(xs))
	if n < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / d
}

// perMinute returns the slope of field over the samples, per minute.
func perMinute(samples []sample, field func(sample) float64) float64 {
	xs := make([]float64, len(samples))
	ys := make([]float64, len(samples))
	for i, s := range samples {
		xs[i] = s.at.Minutes()
		ys[i] = field(s)
	}
	return slope(xs, ys)
}
