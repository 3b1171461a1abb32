package soak

import (
	"bufio"
	"fmt"
	"io"
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
	goroutines float64
	fds        float64
}

// readSample reads pid's resident set and open descriptors from /proc and
// its goroutine count from its pprof endpoint at profileAddr.
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
	s.goroutines, err = strconv.ParseFloat(n, 64)
	return s, err
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
